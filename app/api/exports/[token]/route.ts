import { downloadExport } from "@/lib/exports/download-export";

// Streams from the database on every request: never cached, never pre-rendered.
export const dynamic = "force-dynamic";

export async function GET(request: Request, { params }: { params: Promise<{ token: string }> }): Promise<Response> {
  const { token } = await params;
  return downloadExport(request, token);
}

// Without this, HEAD would run GET and use up the single-use token (link checkers and previews
// send HEAD); the download is GET only.
export function HEAD(): Response {
  return new Response(null, { status: 405, headers: { Allow: "GET" } });
}
