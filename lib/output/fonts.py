"""The one font setting of every output: charts on the page, slide images and the deck.

Noto Sans CJK SC is what this project installs (Debian fonts-noto-cjk) and renders images
with; the names after it are what government PCs have when a deck or chart opens there.
"""

from __future__ import annotations

CJK_FONT = "Noto Sans CJK SC"
FALLBACK_FONTS = ("Microsoft YaHei", "DengXian", "SimSun")
# CSS font-family list for plotly (page charts and kaleido-rendered images alike)
FONT_FAMILY = ", ".join([CJK_FONT, *FALLBACK_FONTS, "sans-serif"])
