/** The Markdown files a user reads, which the fast tests hold to the code and to each other. */
import * as fs from "fs";
import * as path from "path";

export const repoRoot = path.join(__dirname, "..", "..");

/** The user documents, relative to the repository's root: the README, docs/, and the READMEs of the examples and of the ENS-compatible server. */
export function userDocuments(): string[] {
    const docs = fs
        .readdirSync(path.join(repoRoot, "docs"), { recursive: true, encoding: "utf8" })
        .filter((file) => file.endsWith(".md"))
        .map((file) => path.posix.join("docs", file.split(path.sep).join("/")));
    const examples = fs
        .readdirSync(path.join(repoRoot, "examples"))
        .map((example) => `examples/${example}/README.md`)
        .filter((file) => fs.existsSync(path.join(repoRoot, file)));
    return ["README.md", ...docs.sort(), ...examples, "ens-server/README.md"];
}
