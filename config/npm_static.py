"""Serve a few files installed by npm as our own static files.

``NPM_STATIC_FILES`` maps a static prefix to a folder under ``node_modules`` and
the files wanted from it. Only those are found and collected: the browser gets
bpmn-js's viewer from us (never a CDN), and a production ``collectstatic`` does
not copy and compress the rest of the package (the modeler, sources).
"""

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Warning
from django.core.files.storage import FileSystemStorage


class NpmFinder(BaseFinder):
    def __init__(self, *args, **kwargs):
        root = Path(settings.BASE_DIR) / "node_modules"
        self.entries = []  # (prefix, folder, [file names])
        for prefix, (folder, names) in settings.NPM_STATIC_FILES.items():
            self.entries.append((prefix.strip("/"), root / folder, list(names)))

    def find(self, path, find_all=False, **kwargs):
        find_all = find_all or kwargs.get("all", False)
        for prefix, folder, names in self.entries:
            for name in names:
                if path == f"{prefix}/{name}" and (folder / name).is_file():
                    found = str(folder / name)
                    return [found] if find_all else found
        return []

    def check(self, **kwargs):
        missing = [str(folder / name) for _prefix, folder, names in self.entries for name in names
                   if not (folder / name).is_file()]
        if not missing:
            return []
        return [Warning(
            f"npm files are missing: {', '.join(missing)}", hint="Install the npm packages: `npm ci` (make run and make test do).",
            id="munis.W001",
        )]

    def list(self, ignore_patterns):
        for prefix, folder, names in self.entries:
            storage = FileSystemStorage(location=str(folder))
            storage.prefix = prefix
            for name in names:
                if (folder / name).is_file():
                    yield name, storage
