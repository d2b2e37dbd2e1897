// The longest retention a category can be given, in days; shared by the policy and the environment check.
export const MAX_RETENTION_DAYS = 3650;
