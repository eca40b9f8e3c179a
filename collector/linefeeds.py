"""Line ends as the collector reads them.

netmiko's `normalize_linefeeds` makes every lone carriage return a line end. A description that
holds one (set through an NMS, pasted from a spreadsheet) then splits its row in two, and the whole
table fails to parse. Here only real line ends are line ends — CR LF in any of the forms boxes send
(`\\r\\n`, `\\r\\r\\n`, `\\n\\r`) — and a lone CR stays a character of the text (modelled: no capture
of such a description was found).
"""

from __future__ import annotations

import re

_LINE_END = re.compile(r"\r*\n\r?")


def normalize(text: str) -> str:
    return _LINE_END.sub("\n", text)
