/**
 * The third-party notices of a bundle: for every npm package whose code esbuild put into it (read
 * from the build's metafile), its name, version, declared licence and licence text, as the
 * licences of the bundled code ask a redistribution to carry. The text is the package's own
 * licence files; a package that ships none has the licence section of its README and, where
 * that only names the licence, the standard text of the licence its package.json declares.
 * A bundled package whose licence text cannot be found this way fails the build.
 */
import * as fs from "fs";
import * as path from "path";
import type { Metafile } from "esbuild";

const repoRoot = path.resolve(__dirname, "..");

/** One bundled package and the text of its licence. */
export interface Notice {
    name: string;
    version: string;
    /** The licence as the package's package.json declares it (an SPDX expression, mostly). */
    license: string;
    /** Where the text came from: the package's licence files, its README, or the standard text. */
    sources: string[];
    text: string;
}

const licenceFile = /^(licen[cs]e|copying|notice)([.-].*)?$/i;

/**
 * The standard texts of the licences that bundled packages without a licence file declare. MIT and
 * ISC name the copyright holder; the Apache License 2.0 is long and this repository's own licence,
 * so its text is the LICENSE file that every bundle ships beside its notices.
 */
const standardTexts: Record<string, (holder: string) => string> = {
    MIT: (holder) =>
        `Copyright (c) ${holder}\n\n` +
        "Permission is hereby granted, free of charge, to any person obtaining a copy of this software and " +
        'associated documentation files (the "Software"), to deal in the Software without restriction, including ' +
        "without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell " +
        "copies of the Software, and to permit persons to whom the Software is furnished to do so, subject to the " +
        "following conditions:\n\n" +
        "The above copyright notice and this permission notice shall be included in all copies or substantial " +
        "portions of the Software.\n\n" +
        'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT ' +
        "LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO " +
        "EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER " +
        "IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE " +
        "USE OR OTHER DEALINGS IN THE SOFTWARE.",
    ISC: (holder) =>
        `Copyright (c) ${holder}\n\n` +
        "Permission to use, copy, modify, and/or distribute this software for any purpose with or without fee is " +
        "hereby granted, provided that the above copyright notice and this permission notice appear in all copies.\n\n" +
        'THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES WITH REGARD TO THIS SOFTWARE ' +
        "INCLUDING ALL IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR " +
        "ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES WHATSOEVER RESULTING FROM LOSS OF " +
        "USE, DATA OR PROFITS, WHETHER IN AN ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF " +
        "OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.",
    "Apache-2.0": (holder) =>
        `Copyright ${holder}\n\n` +
        'Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file except in ' +
        "compliance with the License. The text of the License is the file LICENSE beside this one.\n\n" +
        'Unless required by applicable law or agreed to in writing, software distributed under the License is distributed on an "AS IS" ' +
        "BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the License for the " +
        "specific language governing permissions and limitations under the License.",
};

/** The licences a README's licence section names, as SPDX ids of the standard texts. */
function licencesNamed(section: string): string[] {
    const named: [RegExp, string][] = [
        [/\bMIT\b/, "MIT"],
        [/\bISC\b/, "ISC"],
        [/\bApache\b/, "Apache-2.0"],
    ];
    return named.filter(([pattern]) => pattern.test(section)).map(([, id]) => id);
}

/** Spellings of a licence that package.json files use besides its SPDX id. */
const spdxAliases: Record<string, string> = { "Apache License 2.0": "Apache-2.0" };

/** Whether a text carries a licence's terms, not only its name. */
function hasTerms(text: string): boolean {
    return /permission is hereby granted|permission to use, copy|licensed under the apache license|terms and conditions for use|redistribution and use in source and binary forms|this is free and unencumbered software|blue oak/i.test(
        text,
    );
}

/** The section of a README under a heading named License (Markdown `#` or underlined), up to the next heading. */
function readmeLicenceSection(readme: string): string | undefined {
    const lines = readme.split(/\r?\n/);
    const start = lines.findIndex(
        (line, i) => /^#+\s*licen[cs]e\b/i.test(line) || (/^licen[cs]e\s*$/i.test(line) && /^[-=]{3,}\s*$/.test(lines[i + 1] ?? "")),
    );
    if (start < 0) {
        return undefined;
    }
    const body = lines.slice(start + (lines[start].startsWith("#") ? 1 : 2));
    const end = body.findIndex((line, i) => /^#+\s/.test(line) || /^[-=]{3,}\s*$/.test(body[i + 1] ?? ""));
    const section = (end < 0 ? body : body.slice(0, end)).join("\n").trim();
    return section === "" ? undefined : section;
}

/** Who the copyright notice names for a package with no licence file: its README's copyright line, or its author. */
function copyrightHolder(manifest: { author?: string | { name?: string } }, readmeSection: string | undefined, name: string): string {
    const line = /copyright\s+(?:\(c\)\s*)?(.+)/i.exec(readmeSection ?? "")?.[1];
    if (line) {
        return line.trim();
    }
    const author = typeof manifest.author === "string" ? manifest.author : manifest.author?.name;
    return author && author.trim() !== "" ? `the authors of ${name} (${author.trim()})` : `the authors of ${name}`;
}

/** The folder of the npm package an input of the bundle belongs to, or undefined for the project's own sources. */
function packageDir(input: string): string | undefined {
    const at = input.lastIndexOf("node_modules/");
    if (at < 0) {
        return undefined;
    }
    const rest = input.slice(at + "node_modules/".length).split("/");
    return input.slice(0, at) + "node_modules/" + rest.slice(0, rest[0].startsWith("@") ? 2 : 1).join("/");
}

/** The notices of every package whose code is in the bundle `output` of `metafile` (esbuild's paths are relative to `cwd`). */
export function noticesOf(metafile: Metafile, output: string, cwd: string): Notice[] {
    const outputs = Object.entries(metafile.outputs).filter(([file]) => path.resolve(cwd, file) === path.resolve(output));
    if (outputs.length !== 1) {
        throw new Error(`the build's metafile has no output ${output}`);
    }
    const dirs = new Set<string>();
    for (const [input, { bytesInOutput }] of Object.entries(outputs[0][1].inputs)) {
        const dir = packageDir(input);
        if (dir !== undefined && bytesInOutput > 0) {
            dirs.add(path.resolve(cwd, dir));
        }
    }
    return [...dirs].map(noticeOf).sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}

function noticeOf(dir: string): Notice {
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
    const declared: string = typeof manifest.license === "string" ? manifest.license : (manifest.licenses?.[0]?.type ?? "");
    const license = spdxAliases[declared] ?? declared;
    const where = `${manifest.name}@${manifest.version} (${path.relative(repoRoot, dir)})`;
    const files = fs
        .readdirSync(dir)
        .filter((f) => licenceFile.test(f) && fs.statSync(path.join(dir, f)).isFile())
        .sort();
    const sources: string[] = [];
    const texts: string[] = [];
    for (const file of files) {
        sources.push(file);
        texts.push(fs.readFileSync(path.join(dir, file), "utf8").trim());
    }
    if (texts.length === 0) {
        // No licence file: the README's licence section, and the standard text of each licence that
        // package.json or that section names (they disagree at times: both apply, then).
        const readme = fs.readdirSync(dir).find((f) => /^readme(\.md)?$/i.test(f));
        const section = (readme && readmeLicenceSection(fs.readFileSync(path.join(dir, readme), "utf8"))) || undefined;
        if (section !== undefined) {
            sources.push(`${readme} (its License section)`);
            texts.push(section);
        }
        if (section === undefined || !hasTerms(section)) {
            for (const id of new Set([license, ...licencesNamed(section ?? "")])) {
                const standard = standardTexts[id];
                if (standard === undefined) {
                    throw new Error(`${where} is bundled, but has no licence file, and its licence "${id}" has no standard text here`);
                }
                sources.push(`the standard ${id} text`);
                texts.push(standard(copyrightHolder(manifest, section, manifest.name)));
            }
        }
    }
    if (!hasTerms(texts.join("\n"))) {
        throw new Error(`${where} is bundled, but its licence files (${files.join(", ")}) hold no licence terms`);
    }
    return { name: manifest.name, version: manifest.version, license: declared, sources, text: texts.join("\n\n") };
}

/** The notices as one text file: a list of the packages, then each package's licence text. */
export function formatNotices(notices: Notice[], what: string): string {
    const rule = "-".repeat(78);
    const list = notices.map((n) => `- ${n.name} ${n.version} (${n.license})`).join("\n");
    const sections = notices.map(
        (n) => `${rule}\n${n.name} ${n.version}\nLicense: ${n.license}\nText from: ${n.sources.join("; ")}\n\n${n.text}\n`,
    );
    return `Third-party software in ${what}\n\n${what} bundles code of these npm packages, under their licences:\n\n${list}\n\n${sections.join("\n")}`;
}
