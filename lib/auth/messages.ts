// The source documents fix this sentence; the notice, server actions and tests all use it.
export const NO_PERMISSION_TEXT =
  "If you cannot access this feature, please request permission from your organization manager.";
