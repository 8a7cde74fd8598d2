"""The one font setting of every output: charts on the page, slide images and the deck.

Two audiences, two orders. Images are rendered here, by kaleido's Chromium, which has Noto
Sans CJK SC (Debian fonts-noto-cjk) and nothing else with Chinese glyphs: the plotly font
stack names it first, then what a Windows browser showing a page chart has. A deck is
opened on a government PC (PowerPoint or WPS on Windows): it names 微软雅黑 (Microsoft
YaHei, on every Windows since Vista) and tells PowerPoint, through the GB2312 character
set and YaHei's PANOSE class on every run, to substitute another simplified-Chinese sans
such as 等线 where YaHei is missing; LibreOffice on Linux finds Noto Sans CJK SC the same
way (fontconfig's CJK fallback).
"""

from __future__ import annotations

CJK_FONT = "Noto Sans CJK SC"
FALLBACK_FONTS = ("Microsoft YaHei", "DengXian", "SimSun")
# CSS font-family list for plotly (page charts and kaleido-rendered images alike)
FONT_FAMILY = ", ".join([CJK_FONT, *FALLBACK_FONTS, "sans-serif"])

# The deck's faces, in order of preference: the first is named on every run, the rest are
# what the substitution hints below lead to on a PC without it.
DECK_EA_FONTS = ("微软雅黑", "等线", CJK_FONT)
DECK_EA_FONT = DECK_EA_FONTS[0]  # East-Asian face (a:ea), its Chinese name as Office writes it
DECK_LATIN_FONT = "Microsoft YaHei"  # the same face by its Latin name, for digits and Latin
# a:ea attributes PowerPoint substitutes by when the named face is missing: YaHei's PANOSE
# class, variable-pitch sans (0x22) and the GB2312 character set (134 as a signed byte).
DECK_EA_HINTS = {"panose": "020B0503020204020204", "pitchFamily": "34", "charset": "-122"}
