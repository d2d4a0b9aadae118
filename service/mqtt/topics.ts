// The MQTT topics of smart-seal devices (DESIGN, "Transports"): one subtree per device, so a broker's ACL can give each
// device its own topics by its username (the device id) and nothing else.
export const TOPIC_ROOT = "sealproof/v1/devices";

/**
 * up: signed messages from the device (one message, or an array of them). down: the service's answers and the device's
 * pending commands (retained). presence: "online" when the device connects, "offline" as its last will.
 */
export type DeviceTopicLeaf = "up" | "down" | "presence";

/** The filters the service subscribes to: every device's up and presence topics. */
export const SERVICE_FILTERS = { up: `${TOPIC_ROOT}/+/up`, presence: `${TOPIC_ROOT}/+/presence` } as const;

export function deviceTopic(deviceId: string, leaf: DeviceTopicLeaf): string {
  return `${TOPIC_ROOT}/${deviceId}/${leaf}`;
}

/** The device and leaf a topic names, or null for any other topic (wildcards included). */
export function parseDeviceTopic(topic: string): { device: string; leaf: DeviceTopicLeaf } | null {
  const prefix = `${TOPIC_ROOT}/`;
  if (!topic.startsWith(prefix)) return null;
  const [device, leaf, ...rest] = topic.slice(prefix.length).split("/");
  if (rest.length > 0 || !/^d_[1-9A-HJ-NP-Za-km-z]{8,24}$/.test(device)) return null;
  return leaf === "up" || leaf === "down" || leaf === "presence" ? { device, leaf } : null;
}

export const PRESENCE_ONLINE = "online";
export const PRESENCE_OFFLINE = "offline";
