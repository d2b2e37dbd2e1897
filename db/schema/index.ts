export * from "./enums";
export * from "./organizations";
export * from "./api-keys";
export * from "./auth-throttle";
export * from "./audit-logs";
export * from "./exports";
export * from "./retention";
export * from "./consumer-cursors";
