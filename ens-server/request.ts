/**
 * Reading an HTTP request the way Alibaba Cloud's RPC gateway does: parameters from the query
 * string and, for form posts, from the body (the body wins, as in the official client's signing),
 * with the raw body kept for the V3 payload hash.
 */
import { IncomingMessage } from "http";
import { requestTooLarge } from "./gatewayErrors";

/** Bodies above this are refused: key-pair calls carry at most one public key. */
export const maxBodyBytes = 1024 * 1024;

/** An HTTP request, read. */
export interface ParsedRequest {
    /** Upper case, e.g. `POST`. */
    method: string;
    /** The raw path, before `?` and without decoding: V3 signs it as sent. */
    pathname: string;
    /** Query parameters, decoded. Maps, so a parameter named `__proto__` is just a parameter. */
    query: Map<string, string>;
    /** Query and form-body parameters, decoded; what RPC actions and V1 signatures see. */
    params: Map<string, string>;
    /** Headers by lower-case name, every value of a repeated header kept. */
    headers: Map<string, string[]>;
    rawBody: Buffer;
}

/** The first value of a header, if present. */
export function header(request: ParsedRequest, name: string): string | undefined {
    return request.headers.get(name)?.[0];
}

function readBody(req: IncomingMessage): Promise<Buffer> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        req.on("data", (chunk: Buffer) => {
            size += chunk.length;
            // Past the limit, read on and discard: answering before the client has sent everything
            // would reset the connection under it, and it would never see the error.
            if (size <= maxBodyBytes) {
                chunks.push(chunk);
            }
        });
        req.on("end", () => (size > maxBodyBytes ? reject(requestTooLarge(maxBodyBytes)) : resolve(Buffer.concat(chunks))));
        req.on("error", reject);
        // A client that goes away mid-body sends neither "end" nor "error"; without this the
        // request would stay pending and close() would wait for it forever.
        req.on("close", () => {
            if (!req.complete) {
                reject(new Error("the client closed the connection before sending the whole request"));
            }
        });
    });
}

/**
 * Reads the whole request.
 * @throws ApiError when the body exceeds {@link maxBodyBytes}.
 */
export async function readRequest(req: IncomingMessage): Promise<ParsedRequest> {
    const rawUrl = req.url ?? "/";
    const queryStart = rawUrl.indexOf("?");
    const pathname = queryStart < 0 ? rawUrl : rawUrl.slice(0, queryStart);
    const query = new Map(new URLSearchParams(queryStart < 0 ? "" : rawUrl.slice(queryStart + 1)));
    const rawBody = await readBody(req);
    const params = new Map(query);
    const contentType = (req.headers["content-type"] ?? "").toLowerCase();
    if (contentType.startsWith("application/x-www-form-urlencoded")) {
        for (const [name, value] of new URLSearchParams(rawBody.toString("utf8"))) {
            params.set(name, value);
        }
    }
    const headers = new Map(Object.entries(req.headersDistinct).map(([name, values]) => [name, values ?? []] as [string, string[]]));
    return { method: (req.method ?? "GET").toUpperCase(), pathname, query, params, headers, rawBody };
}
