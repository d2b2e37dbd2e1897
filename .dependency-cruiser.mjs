/*
 * The architecture's import rules, checked in CI (`npm run lint:imports`):
 * - shared code (lib, db, components, scripts, bench) never imports from app/;
 * - a route's own code (its lib/ and components/ folders) is private to that route and the routes
 *   nested under it: no other route imports it. Shared logic belongs in lib/, shared UI in
 *   components/.
 * The routes with private folders are found on disk, so a new route is covered without editing
 * this file.
 */
import fs from "node:fs";
import path from "node:path";

function routeFolders(dir) {
  const found = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const child = path.posix.join(dir, entry.name);
    if (entry.name === "lib" || entry.name === "components") {
      if (!found.includes(dir)) found.push(dir);
      continue;
    }
    found.push(...routeFolders(child));
  }
  return found;
}

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

const privateRouteRules = routeFolders("app").map((route) => ({
  name: `private-to-${route}`,
  severity: "error",
  comment: `${route}/lib and ${route}/components belong to that route; move shared code to lib/ or components/.`,
  from: { pathNot: `^${escape(route)}/` },
  to: { path: `^${escape(route)}/(lib|components)/` },
}));

const config = {
  forbidden: [
    {
      name: "shared-code-not-from-app",
      severity: "error",
      comment: "lib, db, components, scripts and bench are shared: they never import a route's code.",
      from: { path: "^(lib|db|components|scripts|bench)/" },
      to: { path: "^app/" },
    },
    ...privateRouteRules,
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"] },
  },
};
export default config;
