/*
 * Stands in for the `server-only` package in the bundle of server.ts (see `build:server` in
 * package.json). That package throws when imported outside React's server graph, but server.ts is
 * the console's own Node.js process, server-side by definition, and it prepares the database with
 * the same modules the application uses before Next.js starts.
 */
export {};
