// Web map of Padrón SIG: layers, colours and legends come from the layer catalogue
// (layers/catalogue.yaml, handed over by the page); data from the map API (/api/v1/).
import * as maplibregl from "./vendor/maplibre-gl/maplibre-gl.mjs";

const config = JSON.parse(document.getElementById("map-config").textContent);
const catalogue = config.catalogue;
const api = config.api;
const layerDef = (id) => catalogue.layers.find((layer) => layer.id === id);
const money = new Intl.NumberFormat("es-MX", { style: "currency", currency: "MXN" });
const count = new Intl.NumberFormat("es-MX");
const percent = new Intl.NumberFormat("es-MX", { style: "percent", maximumFractionDigits: 1 });

// -- styles from the catalogue ----------------------------------------------------------------
function categorical(style, fallback = "#999999") {
  const expression = ["match", ["to-string", ["get", style.property]]];
  for (const item of style.classes) expression.push(String(item.value), item.color);
  expression.push(fallback);
  return expression;
}

function graduated(style) {
  const expression = ["step", ["to-number", ["coalesce", ["get", style.property], 0]]];
  expression.push(style.stops[0].color);
  for (const stop of style.stops.slice(1)) expression.push(stop.value, stop.color);
  return expression;
}

const colourOf = (style) => (style.classes ? categorical(style) : graduated(style));

// -- what each catalogue layer draws ------------------------------------------------------------
// Map layers by catalogue layer id: [MapLibre layer, legend style, geometry of the swatches].
const drawn = {};

function tileSource(id) {
  const layer = layerDef(id);
  return {
    type: "vector",
    tiles: [window.location.origin + layer.source.tiles],
    minzoom: Math.min(...layer.tile_layers.map((t) => t.minzoom)),
    maxzoom: layer.maxzoom,
  };
}

function period() {
  const params = new URLSearchParams();
  const from = document.getElementById("date-from").value;
  const to = document.getElementById("date-to").value;
  if (from) params.set("date_from", from);
  if (to) params.set("date_to", to);
  return params;
}

function colonias_url() {
  const params = period();
  params.set("limit", "10000");
  params.set("precision", "5");
  return `${layerDef("colonias").source.url}?${params}`;
}

function addLayers(map) {
  const parcels = layerDef("parcels");
  const accounts = layerDef("accounts");
  const segments = layerDef("segments");
  const suspensions = layerDef("suspensions");
  const colonias = layerDef("colonias");
  const detail = (layer) => layer.detail_minzoom;

  map.addSource("colonias", { type: "geojson", data: colonias_url() });
  for (const id of ["parcels", "accounts", "segments", "suspensions"]) {
    map.addSource(id, tileSource(id));
  }

  map.addLayer({
    id: "colonias-fill", type: "fill", source: "colonias", maxzoom: detail(parcels),
    paint: { "fill-color": colourOf(colonias.style), "fill-opacity": 0.65 },
  });
  map.addLayer({
    id: "colonias-line", type: "line", source: "colonias",
    paint: { "line-color": "#4d4d4d", "line-width": 1, "line-dasharray": [2, 2] },
  });
  map.addLayer({
    id: "parcels-grid", type: "fill", source: "parcels", "source-layer": "parcels_grid",
    maxzoom: detail(parcels), layout: { visibility: "none" },
    paint: { "fill-color": colourOf(parcels.style.grid), "fill-opacity": 0.7 },
  });
  map.addLayer({
    id: "parcels-fill", type: "fill", source: "parcels", "source-layer": "parcels",
    minzoom: detail(parcels),
    paint: { "fill-color": colourOf(parcels.style), "fill-opacity": 0.75,
             "fill-outline-color": "#555555" },
  });
  map.addLayer({
    id: "segments-line", type: "line", source: "segments", "source-layer": "segments",
    layout: { "line-cap": "round" },
    paint: {
      "line-color": colourOf(segments.style),
      "line-width": ["interpolate", ["linear"], ["zoom"], 10, 1, 14, 3, 18, 6],
    },
  });
  map.addLayer({
    id: "suspensions-grid", type: "fill", source: "suspensions",
    "source-layer": "suspensions_grid", maxzoom: detail(suspensions),
    layout: { visibility: "none" },
    paint: { "fill-color": colourOf(suspensions.style.grid), "fill-opacity": 0.7 },
  });
  map.addLayer({
    id: "accounts-circle", type: "circle", source: "accounts", "source-layer": "accounts",
    minzoom: detail(accounts),
    paint: {
      "circle-color": colourOf(accounts.style),
      "circle-radius": ["interpolate", ["linear"], ["zoom"], 15, 3, 18, 7],
      "circle-stroke-color": "#ffffff", "circle-stroke-width": 1,
    },
  });
  map.addLayer({
    id: "suspensions-circle", type: "circle", source: "suspensions",
    "source-layer": "suspensions", minzoom: detail(suspensions),
    paint: {
      "circle-color": colourOf(suspensions.style),
      "circle-radius": ["interpolate", ["linear"], ["zoom"], 14, 4, 18, 9],
      "circle-opacity": 0.85, "circle-stroke-color": "#000000", "circle-stroke-width": 1,
    },
  });

  drawn.colonias = { layers: ["colonias-fill", "colonias-line"], style: colonias.style,
                     swatch: "polygon" };
  drawn.parcels_grid = { layers: ["parcels-grid"], style: parcels.style.grid, swatch: "polygon",
                         title: "Cuadrícula de adeudo (predios)", hidden: true };
  drawn.parcels = { layers: ["parcels-fill"], style: parcels.style, swatch: "polygon" };
  drawn.segments = { layers: ["segments-line"], style: segments.style, swatch: "line" };
  drawn.accounts = { layers: ["accounts-circle"], style: accounts.style, swatch: "point" };
  drawn.suspensions = { layers: ["suspensions-circle"], style: suspensions.style,
                        swatch: "point" };
  drawn.suspensions_grid = { layers: ["suspensions-grid"], style: suspensions.style.grid,
                             swatch: "polygon", hidden: true,
                             title: "Cuadrícula de cuentas suspendidas o restringidas" };
}

// -- legend and layer switches ----------------------------------------------------------------
function zoomNote(map, key) {
  const minzoom = Math.min(...drawn[key].layers.map((id) => map.getLayer(id).minzoom ?? 0));
  const maxzoom = Math.max(...drawn[key].layers.map((id) => map.getLayer(id).maxzoom ?? 24));
  if (minzoom > 0) return ` (desde zoom ${minzoom})`;
  if (maxzoom < 24) return ` (hasta zoom ${maxzoom})`;
  return "";
}

function buildLegend(map) {
  const legend = document.getElementById("legend");
  for (const [key, entry] of Object.entries(drawn)) {
    const definition = layerDef(key);
    const title = entry.title ?? definition.title;
    const box = document.createElement("div");
    box.className = "legend-layer";
    box.dataset.layer = key;
    const label = document.createElement("label");
    const toggle = document.createElement("input");
    toggle.type = "checkbox";
    toggle.checked = !entry.hidden;
    toggle.addEventListener("change", () => {
      for (const id of entry.layers) {
        map.setLayoutProperty(id, "visibility", toggle.checked ? "visible" : "none");
      }
    });
    label.append(toggle, ` ${title}`);
    const note = document.createElement("span");
    note.className = "zoom-note";
    note.textContent = zoomNote(map, key);
    label.append(note);
    const items = document.createElement("ul");
    items.className = "legend-items";
    for (const item of entry.style.classes ?? entry.style.stops) {
      const row = document.createElement("li");
      const swatch = document.createElement("span");
      swatch.className = `swatch ${entry.swatch}`;
      swatch.style.background = item.color;
      row.append(swatch, item.label);
      items.append(row);
    }
    box.append(label, items);
    legend.append(box);
  }
}

// -- filters ------------------------------------------------------------------------------------
function checkboxes(containerId, options, checked = () => true) {
  const container = document.getElementById(containerId);
  for (const option of options) {
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.value = option.value;
    box.checked = checked(option);
    label.append(box, ` ${option.label}`);
    container.append(label);
  }
  return () => [...container.querySelectorAll("input:checked")].map((box) => box.value);
}

async function loadLookups() {
  const response = await fetch(`${api}lookups/`, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`lookups: ${response.status}`);
  return response.json();
}

function setupFilters(map, lookups) {
  const statuses = checkboxes("filter-status", lookups.status);
  const aging = checkboxes("filter-aging", lookups.aging);
  const tariff = document.getElementById("filter-tariff");
  for (const option of lookups.tariff) tariff.append(new Option(option.label, option.value));

  const apply = () => {
    const accountFilter = ["all",
      ["in", ["get", "status"], ["literal", statuses()]],
      ["in", ["get", "aging"], ["literal", aging()]]];
    if (tariff.value) accountFilter.push(["==", ["get", "tariff"], tariff.value]);
    map.setFilter("accounts-circle", accountFilter);
    // A parcel's status is that of its most severe account, or "sin_cuenta".
    map.setFilter("parcels-fill", ["all",
      ["in", ["get", "status"], ["literal", [...statuses(), "sin_cuenta"]]],
      ["in", ["get", "aging"], ["literal", aging()]]]);
  };
  for (const input of document.querySelectorAll("#filter-status input, #filter-aging input")) {
    input.addEventListener("change", apply);
  }
  tariff.addEventListener("change", apply);

  const onPeriod = () => {
    const params = period();
    const error = document.getElementById("filter-error");
    if (params.get("date_from") && params.get("date_to")
        && params.get("date_from") > params.get("date_to")) {
      error.textContent = "La fecha final no puede ser anterior a la inicial.";
      error.hidden = false;
      return;
    }
    error.hidden = true;
    const suffix = params.toString() ? `?${params}` : "";
    map.getSource("suspensions").setTiles([tileSource("suspensions").tiles[0] + suffix]);
    map.getSource("colonias").setData(colonias_url());
    loadTotals();
  };
  document.getElementById("date-from").addEventListener("change", onPeriod);
  document.getElementById("date-to").addEventListener("change", onPeriod);
}

// -- totals panel -------------------------------------------------------------------------------
async function loadTotals() {
  const params = period();
  params.set("geometry", "false");
  params.set("limit", "1");
  const section = document.getElementById("totals");
  const response = await fetch(`${api}aggregates/sectors/?${params}`,
                               { credentials: "same-origin" });
  if (!response.ok) {
    section.querySelector("table, .loading")?.remove();
    section.insertAdjacentHTML("beforeend", `<p class="error">No se pudieron leer los totales.</p>`);
    return;
  }
  const totals = (await response.json()).totals;
  const rows = [
    ["Cuentas", count.format(totals.accounts)],
    ["Con adeudo", `${count.format(totals.arrears_count)} (${percent.format(totals.arrears_share)})`],
    ["Monto del adeudo", money.format(totals.arrears_amount)],
    ["0 a 30 días", money.format(totals.aging_0_30_amount)],
    ["31 a 90 días", money.format(totals.aging_31_90_amount)],
    ["91 a 180 días", money.format(totals.aging_91_180_amount)],
    ["Más de 180 días", money.format(totals.aging_181_mas_amount)],
    ["Suspendidas hoy", count.format(totals.suspended)],
    ["Restringidas hoy", count.format(totals.restricted)],
    ["Restricciones", count.format(totals.restrictions)],
    ["Cortes", count.format(totals.cuts)],
    ["Reconexiones", count.format(totals.reconnections)],
  ];
  const table = document.createElement("table");
  for (const [label, value] of rows) {
    const row = table.insertRow();
    row.insertCell().textContent = label;
    const cell = row.insertCell();
    cell.className = "n";
    cell.textContent = value;
  }
  section.querySelector("table, .loading, .error")?.remove();
  section.append(table);
}

// -- popups -------------------------------------------------------------------------------------
const LABELS = {
  number: "Cuenta", status: "Estatus", tariff: "Tarifa", balance: "Saldo",
  months_overdue: "Meses de adeudo", days_overdue: "Días de atraso", aging: "Antigüedad",
  located_at: "Ubicada en", cadastral_key: "Clave catastral", accounts: "Cuentas",
  name: "Calle", arrears_count: "Cuentas con adeudo", arrears_amount: "Monto del adeudo",
  kind: "Tipo", occurred_on: "Fecha", reason: "Motivo", account_number: "Cuenta",
  holder_name: "Titular", holder_phone: "Teléfono", colonia: "Colonia",
  billing_address: "Domicilio",
};

function popupTable(properties) {
  const table = document.createElement("table");
  for (const [key, label] of Object.entries(LABELS)) {
    if (!(key in properties) || properties[key] === null || properties[key] === "") continue;
    let value = properties[key];
    if (key === "balance" || key === "arrears_amount") value = money.format(value);
    const row = table.insertRow();
    row.insertCell().textContent = label;
    row.insertCell().textContent = value;
  }
  return table;
}

function setupPopups(map) {
  const clickable = ["accounts-circle", "suspensions-circle", "parcels-fill", "segments-line"];
  map.on("click", async (event) => {
    const [feature] = map.queryRenderedFeatures(event.point, { layers: clickable });
    if (!feature) return;
    let properties = feature.properties;
    if (feature.layer.id === "accounts-circle") {
      // The account's full record: holder data only for the roles that may see it (logged).
      const response = await fetch(`${api}accounts/${feature.id}/`,
                                   { credentials: "same-origin" });
      if (response.ok) properties = (await response.json()).properties;
    }
    const content = popupTable(properties);
    if (properties.holder_masked) {
      content.insertRow().insertCell().textContent = "Titular: dato reservado";
    }
    new maplibregl.Popup().setLngLat(event.lngLat).setDOMContent(content).addTo(map);
  });
  for (const id of clickable) {
    map.on("mouseenter", id, () => { map.getCanvas().style.cursor = "pointer"; });
    map.on("mouseleave", id, () => { map.getCanvas().style.cursor = ""; });
  }
}

// -- start --------------------------------------------------------------------------------------
const [west, south, east, north] = config.bounds;
const map = new maplibregl.Map({
  container: "map",
  style: {
    version: 8,
    sources: {},
    layers: [{ id: "background", type: "background", paint: { "background-color": "#f4f1ea" } }],
  },
  bounds: [[west, south], [east, north]],
  fitBoundsOptions: { padding: 20 },
  maxZoom: 20,
  hash: true,
});
map.addControl(new maplibregl.NavigationControl(), "top-left");
map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "bottom-left");
window.padronMap = map;

map.on("load", async () => {
  addLayers(map);
  buildLegend(map);
  setupPopups(map);
  try {
    setupFilters(map, await loadLookups());
  } catch (error) {
    const message = document.getElementById("filter-error");
    message.textContent = "No se pudieron cargar los filtros.";
    message.hidden = false;
  }
  await loadTotals();
  // For tests and scripts: true once everything asked for so far is drawn. The repaint makes
  // sure an "idle" event follows even if the map went idle while the totals loaded.
  map.once("idle", () => { window.mapReady = true; });
  map.triggerRepaint();
});
