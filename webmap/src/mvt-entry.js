// Vector-tile decoding for the browser, bundled by esbuild into static/vendor/mvt/mvt.js.
import { VectorTile } from "@mapbox/vector-tile";
import { PbfReader as Pbf } from "pbf";

window.WanggeMVT = { VectorTile, Pbf };
