// Vega-Lite and Vega are ES modules with top-level await, which require() cannot load; this module,
// which has none, can be required, and imports them when called.

/**
 * Renders a Vega-Lite specification to SVG text, headless (no canvas: text is measured by
 * Vega's estimate).
 * @param {object} spec
 * @returns {Promise<string>}
 */
export async function toSvg(spec) {
    const [vegaLite, vega] = await Promise.all([import("vega-lite"), import("vega")]);
    const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: "none" });
    try {
        return await view.toSVG();
    } finally {
        view.finalize();
    }
}
