// Composition root: load and validate config, build the platform, export outputs. No logic here.
import { loadFromPulumi } from "./components/config";
import { createPlatform } from "./components/platform";

const platform = createPlatform(loadFromPulumi());

export const cloud = platform.cloud;
export const clusterName = platform.clusterName;
export const kubeconfig = platform.kubeconfig;
export const models = platform.models;
