import type { NextConfig } from "next";
import { env } from "./lib/env";

const nextConfig: NextConfig = {
  // Tests and the benchmark build into their own folder so a running dev server is never clobbered.
  distDir: env.NEXT_DIST_DIR,
  // PGlite ships WebAssembly and data files that must be loaded from node_modules at run time.
  serverExternalPackages: ["@electric-sql/pglite", "postgres"],
  poweredByHeader: false,
  typedRoutes: false,
};

export default nextConfig;
