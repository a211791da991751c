"""Serves front-end files from the npm packages installed beside the code (no CDN, nothing vendored).

The dashboard draws bar and line charts only, so it takes plotly.js's basic bundle (bar,
scatter, pie: a quarter of the full library's size). The duty-of-care map draws the
world from world-atlas's 110m countries (TopoJSON, about 105 KB) with d3-geo and
topojson-client (about 60 KB together). All are installed by `npm ci` from
package-lock.json (`make install`, the Dockerfile).
"""

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage

NODE_MODULES = Path(settings.BASE_DIR) / "node_modules"
# Served as vendor/<name>: the package and the file inside it.
PUBLISHED = {
    "plotly-basic.min.js": ("plotly.js-basic-dist-min", "plotly-basic.min.js"),
    "d3-array.min.js": ("d3-array", "dist/d3-array.min.js"),
    "d3-geo.min.js": ("d3-geo", "dist/d3-geo.min.js"),
    "topojson-client.min.js": ("topojson-client", "dist/topojson-client.min.js"),
    "countries-110m.json": ("world-atlas", "countries-110m.json"),
}


def _source(name: str) -> Path:
    package, inside = PUBLISHED[name]
    return NODE_MODULES / package / inside


class _PackageStorage(FileSystemStorage):
    """One package's directory, whose files are published under their short names."""

    prefix = "vendor"


class PackageAssetFinder(BaseFinder):
    def check(self, **kwargs):
        return [
            Error(f"{_source(name)} is missing.", hint="Install the front-end packages: npm ci", id="reports.E001")
            for name in PUBLISHED
            if not _source(name).exists()
        ]

    def find(self, path, find_all=False, **kwargs):
        name = path.removeprefix("vendor/")
        found = _source(name) if path.startswith("vendor/") and name in PUBLISHED else None
        if found is None or not found.exists():
            return [] if find_all else None
        return [str(found)] if find_all else str(found)

    def list(self, ignore_patterns):
        for name in PUBLISHED:
            source = _source(name)
            if source.exists():
                # collectstatic copies `source` under vendor/<name>: the storage opens the
                # file by that name from the file's own directory.
                storage = _PackageStorage(location=str(source.parent))
                yield source.name, storage
