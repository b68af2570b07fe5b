/**
 * A folder served over HTTP on 127.0.0.1, as a release page serves its assets: GET of a file's
 * path returns the file, anything else 404. It records every path asked for, so a test can tell
 * what a client downloaded from it.
 */
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as path from "path";

export interface FileServer {
    /** `http://127.0.0.1:<port>`, without a trailing slash. */
    url: string;
    /** The paths of the requests so far, in order, with their status: `200 /a/b.tgz`. */
    requests: string[];
    close(): Promise<void>;
}

export function serveFolder(root: string): Promise<FileServer> {
    const requests: string[] = [];
    const server = http.createServer((req, res) => {
        const urlPath = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
        const file = path.join(root, urlPath);
        const inside = file.startsWith(root + path.sep);
        const found = inside && req.method === "GET" && fs.existsSync(file) && fs.statSync(file).isFile();
        requests.push(`${found ? 200 : 404} ${urlPath}`);
        if (!found) {
            res.writeHead(404).end();
            return;
        }
        res.writeHead(200, { "Content-Length": fs.statSync(file).size, "Content-Type": "application/octet-stream" });
        fs.createReadStream(file).pipe(res);
    });
    return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as AddressInfo;
            resolve({
                url: `http://127.0.0.1:${port}`,
                requests,
                close: () =>
                    new Promise<void>((done) => {
                        server.closeAllConnections();
                        server.close(() => done());
                    }),
            });
        });
    });
}
