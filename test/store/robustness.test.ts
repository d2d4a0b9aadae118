// Runs the robustness part of the Store contract (contract-robustness.ts) against every adapter (adapters.ts).
import { describeStoreRobustness } from "./contract-robustness";
import { onEveryAdapter } from "./adapters";

onEveryAdapter("Store contract, robustness", describeStoreRobustness);
