// The closed list of anomaly rules, in the order findings responses list them.
import { RULE_NAMES, type Rule, type RuleName } from "../anomalies";
import { geofenceExit, stampGap, unauthorizedStamp } from "./stamps";
import { afterHours, beforeRevocation, burst } from "./timing";
import { repeatedDocument } from "./documents";
import { dormantGrant, grantHolderMoved } from "./grants";
import { approverConcentration, custodianIsReviewer } from "./people";

const BY_NAME: Record<RuleName, Rule> = {
  "unauthorized-stamp": unauthorizedStamp,
  "stamp-gap": stampGap,
  "after-hours": afterHours,
  burst,
  "geofence-exit": geofenceExit,
  "before-revocation": beforeRevocation,
  "repeated-document": repeatedDocument,
  "dormant-grant": dormantGrant,
  "grant-holder-moved": grantHolderMoved,
  "approver-concentration": approverConcentration,
  "custodian-is-reviewer": custodianIsReviewer,
};

export const RULES: readonly Rule[] = RULE_NAMES.map((name) => BY_NAME[name]);
