/** Response bodies as Alibaba Cloud's gateway writes them, in JSON (the default `Format`). */
import { ServerResponse } from "http";
import { EnsErrorResponse } from "../provider/ens/api";
import { ApiError } from "./errors";

/** The body of an error response. `hostId` is the host the client addressed. */
export function errorBody(err: ApiError, requestId: string, hostId: string): EnsErrorResponse {
    return {
        RequestId: requestId,
        HostId: hostId,
        Code: err.code,
        Message: err.detail ? `${err.ensMessage} ${err.detail}` : err.ensMessage,
        Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(err.code)}&product=Ens&requestId=${requestId}`,
    };
}

/** Writes a JSON response, with the request id also in `x-acs-request-id` as the gateway does. */
export function sendJson(res: ServerResponse, status: number, body: object, requestId: string): void {
    const text = JSON.stringify(body);
    res.writeHead(status, {
        "content-type": "application/json;charset=utf-8",
        "content-length": Buffer.byteLength(text),
        "x-acs-request-id": requestId,
    });
    res.end(text);
}
