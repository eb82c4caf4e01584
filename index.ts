// Composition root: load and validate config, build the platform, export outputs. No logic here.
import { loadFromPulumi } from "./components/config";
import { createPlatformInBatches } from "./components/platform";

// The models are built in batches so the platform's registrations start first (components/platform.ts).
const platform = createPlatformInBatches(loadFromPulumi());

export const cloud = platform.then((p) => p.cloud);
export const clusterName = platform.then((p) => p.clusterName);
export const kubeconfig = platform.then((p) => p.kubeconfig);
export const models = platform.then((p) => p.models);
