// The CrossGuard pack `modelplane-gpu-guard`. This file only constructs it: the policies live in the
// modules (listed by pack.ts), so tests and the offline plan can import them without starting the
// analyzer server that the PolicyPack constructor starts.
//
//   pulumi preview --policy-pack policies --policy-pack-config policies/config/<stack>.json
import { PolicyPack } from "@pulumi/policy";
import { PACK_DESCRIPTION, PACK_ENFORCEMENT_LEVEL, PACK_NAME, POLICIES } from "./pack";

new PolicyPack(PACK_NAME, {
    description: PACK_DESCRIPTION,
    enforcementLevel: PACK_ENFORCEMENT_LEVEL,
    policies: [...POLICIES],
});
