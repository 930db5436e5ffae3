"""The desktop entry, AppStream metainfo, MIME type and icon, checked by the freedesktop validators."""

from __future__ import annotations

import configparser
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
DESKTOP = ROOT / "resources" / "desktop"
APP_ID = "org.scanspan.Scanspan"


def test_the_desktop_entry_validates_and_opens_scans_and_projects() -> None:
    entry = DESKTOP / f"{APP_ID}.desktop"
    result = subprocess.run(["desktop-file-validate", str(entry)], capture_output=True, text=True)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr
    fields = configparser.ConfigParser(interpolation=None)
    fields.optionxform = str  # type: ignore[assignment,method-assign]
    fields.read(entry)
    desktop = fields["Desktop Entry"]
    assert desktop["Exec"] == "scanspan open %F" and desktop["Icon"] == APP_ID
    mime = set(desktop["MimeType"].strip(";").split(";"))
    assert mime == {"application/pdf", "image/tiff", "image/png", "image/jpeg", "application/x-scanspan-project"}


def test_the_project_mime_type_is_defined_as_the_entry_names_it() -> None:
    ns = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}
    kind = ET.parse(DESKTOP / f"{APP_ID}.mime.xml").getroot().find("m:mime-type", ns)
    assert kind is not None and kind.get("type") == "application/x-scanspan-project"
    assert [g.get("pattern") for g in kind.findall("m:glob", ns)] == ["*.scanspan"]


def test_the_metainfo_validates_with_a_screenshot_and_release_notes() -> None:
    metainfo = DESKTOP / f"{APP_ID}.metainfo.xml"
    result = subprocess.run(["appstreamcli", "validate", "--no-net", str(metainfo)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    root = ET.parse(metainfo).getroot()
    assert root.findtext("id") == APP_ID
    assert root.find("launchable").text == f"{APP_ID}.desktop"  # type: ignore[union-attr]
    assert root.find("screenshots/screenshot/image").text.endswith("/docs/screenshot.png")  # type: ignore[union-attr]
    assert (ROOT / "docs" / "screenshot.png").is_file()
    release = root.find("releases/release")
    assert release is not None and release.find("description/ul/li") is not None


def test_the_icon_comes_as_svg_and_as_pngs_of_the_sizes_their_names_say() -> None:
    icons = ROOT / "resources" / "icons"
    assert ET.parse(icons / "scanspan.svg").getroot().tag == "{http://www.w3.org/2000/svg}svg"
    sizes = []
    for png in icons.glob("scanspan-*.png"):
        size = int(png.stem.split("-")[1])
        with Image.open(png) as image:
            assert image.size == (size, size) and image.mode == "RGBA", png
        sizes.append(size)
    assert sorted(sizes) == [16, 32, 48, 64, 128, 256, 512]
