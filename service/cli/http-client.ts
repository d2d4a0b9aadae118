// The CLI's client for the sealproof HTTP API: JSON in, JSON out, errors shown with their code.
export class ApiCallError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function callApi<T>(baseUrl: string, token: string | undefined, method: string, route: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(new URL(route, baseUrl), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (err) {
    throw new ApiCallError(0, "UNREACHABLE", `cannot reach ${baseUrl}: ${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)}`);
  }
  const text = await res.text();
  const parsed = text ? (JSON.parse(text) as unknown) : null;
  if (!res.ok) {
    const error = (parsed as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiCallError(res.status, error?.code ?? `HTTP_${res.status}`, error?.message ?? text);
  }
  return parsed as T;
}

/**
 * A GET, or a POST of a JSON body, whose success body the caller reads as it likes (a file, a stream); a refusal is
 * thrown as the service's error code and message, an unreachable service as UNREACHABLE.
 */
export async function fetchOk(url: URL, token: string, post?: { body: unknown }): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (post !== undefined) headers["content-type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(url, post === undefined ? { headers } : { method: "POST", headers, body: JSON.stringify(post.body) });
  } catch (err) {
    throw new ApiCallError(0, "UNREACHABLE", `cannot reach ${url.origin}: ${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)}`);
  }
  if (res.ok && res.body !== null) return res;
  const text = await res.text();
  let error: { code?: string; message?: string } | undefined;
  try {
    error = (JSON.parse(text) as { error?: { code?: string; message?: string } }).error;
  } catch {
    error = undefined;
  }
  throw new ApiCallError(res.status, error?.code ?? `HTTP_${res.status}`, error?.message ?? text);
}
