/**
 * A gRPC server of unary methods, on Node.js's own HTTP/2: all the provider protocol needs of
 * gRPC. grpc-js's server, which the plugin used before, loads some 65 modules on every start
 * (name resolvers, load balancers, channelz, compression) and runs each call through its
 * interceptor machinery: together about a third of the plugin's start with V8's code cache, and
 * a fifth of the CPU of a call (see BENCHMARKS.md).
 *
 * A unary call is one HTTP/2 POST to `/<package>.<Service>/<Method>` whose body is one message
 * framed by gRPC (a byte that says whether it is compressed, its length in four bytes, the
 * message); the answer is the response headers, the framed response and trailers that carry
 * the call's status. A failed call answers with the status alone, in the headers.
 */
import * as http2 from "http2";

/** One method: its request's decoding, its handler, and its response's encoding. */
export interface UnaryMethod {
    decode(message: Uint8Array): unknown;
    handle(request: unknown): Promise<{ serializeBinary(): Uint8Array }>;
}

/** gRPC status codes used here (google.golang.org/grpc/codes). */
export const grpcStatus = { ok: 0, unknown: 2, invalidArgument: 3, unimplemented: 12, internal: 13 } as const;

/** A call's failure: the status it ends with, and the message the engine shows. */
export class RpcError extends Error {
    constructor(
        readonly code: number,
        message: string,
    ) {
        super(message);
    }
}

const frameHeaderBytes = 5;

/** The one message of a request's body, unframed. */
function unframe(body: Buffer): Buffer {
    if (body.length < frameHeaderBytes || body.readUInt32BE(1) !== body.length - frameHeaderBytes) {
        throw new RpcError(grpcStatus.internal, "the request is not one gRPC message");
    }
    if (body[0] !== 0) {
        // Only compressed when the server says it accepts compression, which this one does not.
        throw new RpcError(grpcStatus.unimplemented, "compressed messages are not accepted");
    }
    return body.subarray(frameHeaderBytes);
}

function frame(message: Uint8Array): Buffer {
    const framed = Buffer.allocUnsafe(frameHeaderBytes + message.length);
    framed[0] = 0;
    framed.writeUInt32BE(message.length, 1);
    framed.set(message, frameHeaderBytes);
    return framed;
}

const responseHeaders = { ":status": 200, "content-type": "application/grpc+proto" };

/** Ends a call with a failure: its status alone, in the response headers (gRPC's trailers-only response). */
function fail(stream: http2.ServerHttp2Stream, err: unknown): void {
    const rpc = err instanceof RpcError ? err : undefined;
    const message = err instanceof Error ? err.message : String(err);
    if (!stream.destroyed && !stream.headersSent) {
        stream.respond(
            { ...responseHeaders, "grpc-status": rpc?.code ?? grpcStatus.unknown, "grpc-message": encodeURI(message) },
            { endStream: true },
        );
    }
}

/** The body of a request, once the client has sent all of it. */
function bodyOf(stream: http2.ServerHttp2Stream): Promise<Buffer> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        stream.on("data", (chunk: Buffer) => chunks.push(chunk));
        stream.once("end", () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
        stream.once("error", reject);
    });
}

async function answer(stream: http2.ServerHttp2Stream, method: UnaryMethod | undefined, path: string): Promise<void> {
    const body = await bodyOf(stream);
    if (method === undefined) {
        throw new RpcError(grpcStatus.unimplemented, `${path} is not implemented`);
    }
    const response = (await method.handle(method.decode(unframe(body)))).serializeBinary();
    if (stream.destroyed) {
        return; // the engine cancelled the call
    }
    stream.respond(responseHeaders, { waitForTrailers: true });
    stream.once("wantTrailers", () => stream.sendTrailers({ "grpc-status": grpcStatus.ok }));
    stream.end(frame(response));
}

/**
 * Serves `methods`, keyed by their path (`/pulumirpc.ResourceProvider/Check`), on a port of
 * 127.0.0.1 chosen by the system; resolves with the port. A method not among them answers
 * UNIMPLEMENTED, as the engine expects of a provider that lacks it.
 */
export function serveUnary(methods: ReadonlyMap<string, UnaryMethod>): Promise<number> {
    // No cap on a session's memory: the engine may have hundreds of calls in flight on one connection.
    const server = http2.createServer({ maxSessionMemory: Number.MAX_SAFE_INTEGER });
    server.on("stream", (stream, headers) => {
        stream.on("error", () => undefined); // a call the engine reset: nothing to answer
        const path = String(headers[":path"]);
        answer(stream, methods.get(path), path).catch((err: unknown) => fail(stream, err));
    });
    return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port));
    });
}
