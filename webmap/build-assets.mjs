// Copy the front-end libraries from node_modules into static/vendor, which Django serves,
// and bundle the vector-tile decoder (ES modules) into one browser script.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildSync } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "static", "vendor");
const copies = [
  ["node_modules/ol/dist/ol.js", "ol/ol.js"],
  ["node_modules/ol/ol.css", "ol/ol.css"],
  ["node_modules/leaflet/dist/leaflet.js", "leaflet/leaflet.js"],
  ["node_modules/leaflet/dist/leaflet.css", "leaflet/leaflet.css"],
  ["node_modules/leaflet/dist/images", "leaflet/images"],
  ["node_modules/leaflet.heat/dist/leaflet-heat.js", "leaflet-heat/leaflet-heat.js"],
  ["node_modules/leaflet.heat/LICENSE", "leaflet-heat/LICENSE"],
  ["node_modules/@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.js", "geoman/leaflet-geoman.js"],
  ["node_modules/@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.css", "geoman/leaflet-geoman.css"],
  ["node_modules/maplibre-gl/dist/maplibre-gl.css", "maplibre/maplibre-gl.css"],
  // The CSP build: its worker is a file of this server (worker-src 'self'), not a blob.
  ["node_modules/maplibre-gl/dist/maplibre-gl-csp-worker.js", "maplibre/maplibre-gl-csp-worker.js"],
  ["node_modules/maplibre-gl/dist/LICENSE.txt", "maplibre/LICENSE.txt"],
];
rmSync(out, { recursive: true, force: true });
for (const [src, dst] of copies) {
  const target = join(out, dst);
  mkdirSync(dirname(target), { recursive: true });
  cpSync(join(here, src), target, { recursive: true });
}
// MapLibre GL JS and its Leaflet layer as one script (the layer needs maplibregl first).
mkdirSync(join(out, "maplibre"), { recursive: true });
writeFileSync(join(out, "maplibre", "maplibre-leaflet.js"), [
  "node_modules/maplibre-gl/dist/maplibre-gl-csp.js",
  "node_modules/@maplibre/maplibre-gl-leaflet/leaflet-maplibre-gl.js",
].map((f) => readFileSync(join(here, f), "utf8")).join(";\n"));
buildSync({
  entryPoints: [join(here, "src", "mvt-entry.js")],
  bundle: true, minify: true, format: "iife", target: "es2019",
  outfile: join(out, "mvt", "mvt.js"), logLevel: "error",
});
console.log(`front-end assets copied to ${out}`);
