// Draws the world from the TopoJSON the page names, shading countries by how many officials
// are there and marking known sites; all data come from the page and our own server.
(function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";
  // Light to dark blue: 1, 2–4, 5–9, 10 and more officials.
  var SHADES = [[10, "#08519c"], [5, "#3182bd"], [2, "#6baed6"], [1, "#bdd7e7"]];

  function shade(count) {
    for (var i = 0; i < SHADES.length; i += 1) {
      if (count >= SHADES[i][0]) { return SHADES[i][1]; }
    }
    return null;
  }

  function element(name, attributes) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attributes).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    return node;
  }

  function draw(svg, world, data) {
    var projection = d3.geoEqualEarth().fitSize([960, 500], { type: "Sphere" });
    var path = d3.geoPath(projection);
    topojson.feature(world, world.objects.countries).features.forEach(function (country) {
      var there = data.countries[country.id];
      var shape = element("path", { d: path(country) || "", class: "country" });
      if (there) {
        shape.setAttribute("fill", shade(there.count));
        shape.setAttribute("data-count", there.count);
        var title = element("title", {});
        title.textContent = there.name + ": " + there.count;
        shape.appendChild(title);
      }
      svg.appendChild(shape);
    });
    data.points.forEach(function (point) {
      var xy = projection([point.lon, point.lat]);
      var dot = element("circle", { cx: xy[0], cy: xy[1], r: 4, class: "site" });
      var title = element("title", {});
      title.textContent = point.label;
      dot.appendChild(title);
      svg.appendChild(dot);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var svg = document.getElementById("duty-map");
    var source = document.getElementById("duty-map-data");
    if (!svg || !source) { return; }
    var data = JSON.parse(source.textContent);
    fetch(svg.getAttribute("data-geometry"))
      .then(function (response) { return response.json(); })
      .then(function (world) { draw(svg, world, data); });
  });
})();
