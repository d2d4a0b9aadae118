// The reference SM2 implementation used only to check interoperability; it ships no types.
declare module "sm-crypto" {
  export const sm2: {
    generateKeyPairHex(): { privateKey: string; publicKey: string };
    doSignature(msg: string | number[], privateKey: string, options: { hash: boolean; userId?: string; publicKey?: string }): string;
    doVerifySignature(msg: string | number[], signHex: string, publicKey: string, options: { hash: boolean; userId?: string }): boolean;
  };
}
