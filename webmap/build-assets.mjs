// Copy the front-end libraries from node_modules into static/vendor, which Django serves,
// and bundle the vector-tile decoder (ES modules) into one browser script.
import { cpSync, mkdirSync, rmSync } from "node:fs";
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
  ["node_modules/@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.js", "geoman/leaflet-geoman.js"],
  ["node_modules/@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.css", "geoman/leaflet-geoman.css"],
];
rmSync(out, { recursive: true, force: true });
for (const [src, dst] of copies) {
  const target = join(out, dst);
  mkdirSync(dirname(target), { recursive: true });
  cpSync(join(here, src), target, { recursive: true });
}
buildSync({
  entryPoints: [join(here, "src", "mvt-entry.js")],
  bundle: true, minify: true, format: "iife", target: "es2019",
  outfile: join(out, "mvt", "mvt.js"), logLevel: "error",
});
console.log(`front-end assets copied to ${out}`);
