// ESLint over the whole TypeScript tree with typescript-eslint's recommended type-checked rules (they read
// tsconfig.json's program). Tests read JSON answers freely: the few rules about untyped values are off there.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "artifacts/**", "cache/**", "typechain-types/**", "node_modules/**", "native/build/**", "test-results/**", "data/**", "native/**", "**/*.js", "**/*.mjs", "**/*.cjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // The store adapters implement an async port over synchronous SQLite calls: `async` there is the contract's
      // shape, not a missing await.
      "@typescript-eslint/require-await": "off",
      // `_name` marks a value deliberately unused (a destructured field left out of a copy).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
    },
  },
  {
    files: ["service/**/*.ts"],
    rules: {
      // An object made per request or per transaction must not become a prototype nor carry getters of its own: V8
      // keeps what a hidden class holds until a full collection, so each such object outlived every scavenge with
      // all it reached, and was copied and promoted (see createHttpServer in http/server.ts, overlay in
      // store/repositories.ts). A prototype made once, with its getters, is fine: say so where it is made.
      "no-restricted-syntax": [
        "error",
        { selector: "CallExpression[callee.object.name='Object'][callee.property.name='setPrototypeOf']", message: "a per-request object given a prototype outlives every scavenge: make it with its prototype (see http/server.ts)" },
        { selector: "CallExpression[callee.object.name='Object'][callee.property.name='create'][arguments.0.type!='Literal']", message: "Object.create(x) makes x a prototype, kept until a full collection: use overlay() (store/repositories.ts) for per-transaction objects" },
        { selector: "CallExpression[callee.object.name='Object'][callee.property.name='defineProperty'] > ObjectExpression > Property[key.name='get']", message: "a getter defined on one object lives in a hidden class of its own, kept until a full collection: use a Proxy or a shared prototype" },
      ],
    },
  },
  {
    files: ["test/**/*.ts", "scripts/**/*.ts"],
    rules: {
      // Tests and benchmarks read JSON bodies as `any` and assert on them; production code may not.
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      // chai's `expect(x).to.be.true` style properties read as unused expressions.
      "@typescript-eslint/no-unused-expressions": "off",
    },
  },
);
