// What the device transport needs from MQTT, whoever runs the broker: publish to a device's topics, and be told of
// what devices publish on theirs. The embedded broker (embedded-broker.ts) and an external one (external-broker.ts)
// both provide it.
export interface MqttLink {
  /** The broker's address as devices should reach it (mqtt://host:port), for /.well-known/sealproof.json. */
  readonly deviceUrl: string | null;
  /** Publishes; resolves once the broker has taken it. */
  publish(topic: string, payload: string, options: PublishOptions): Promise<void>;
  close(): Promise<void>;
}

export interface PublishOptions {
  retain: boolean;
  /** 1 for what must arrive (commands); 0 for what the device makes good itself when lost (an answer: it sends again). */
  qos: 0 | 1;
}

export interface LinkEvents {
  /** A message a device published on its up or presence topic (the broker's ACL has checked that it was its own). */
  message(topic: string, payload: Buffer): void;
  /** The embedded broker only: an authenticated device's session opened or closed. */
  session?(device: string, open: boolean): void;
}
