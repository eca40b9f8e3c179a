"""Anonymize a box's output so that it can be shared as test data, and prove nothing is left.

Everything that identifies a subscriber, the operator or the network is replaced consistently
across all commands of one capture, keeping the shapes the templates read:

- free text the profile marks `private` (descriptions, names, contacts, PPPoE users), and every
  other occurrence of its words: letters become X/x (case kept), digits are permuted (one secret
  permutation per capture), other characters stay. Widths stay, a client key stays 8 digits, and
  a description cut or wrapped by the box is changed exactly as the whole one, character by
  character;
- serial numbers (16-hex and text form alike): the vendor id stays, the 8-hex tail is replaced by
  a keyed hash, so `48575443ABCD1234` and `HWTC-ABCD1234` stay the same ONU;
- MAC addresses (any notation): the OUI stays, the rest is a keyed hash;
- IPv4 addresses: documentation addresses (192.0.2.0/24, then 198.51.100.0/24).

`leftovers` lists what of the original is still in a text; the capture refuses to write an
anonymized file while anything is.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from platforms.profile import PrivateSpec

_WORD = re.compile(r"[^\W_]+")
_HEX_SERIAL = re.compile(r"(?<![0-9A-Fa-f])([0-9A-F]{8})([0-9A-F]{8})(?![0-9A-Fa-f])")
_TEXT_SERIAL = re.compile(r"(?<![\w-])([A-Z]{4})(-?)([0-9A-F]{8})(?![\w])")
_MAC = re.compile(r"(?<![0-9A-Fa-f:.\-])(?:"
                  r"(?P<dash>[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4})|"
                  r"(?P<dot>[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}\.[0-9a-fA-F]{4})|"
                  r"(?P<colon>(?:[0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}))(?![0-9A-Fa-f:.\-])")
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")


def _is_vendor(hex8: str) -> bool:
    """The first half of a 16-hex serial is a vendor id: four printable letters or digits."""
    text = bytes.fromhex(hex8).decode("latin-1")
    return all(c.isalnum() and c.isascii() for c in text)


def _sensitive(word: str) -> bool:
    """Words worth hiding: short words and small numbers (house numbers, "1") say nothing about
    anyone, and hiding them would change ONU ids and distances that share the token."""
    return len(word) >= 3 and not word.isdigit() or word.isdigit() and len(word) >= 6


@dataclass
class Anonymizer:
    rules: list[PrivateSpec]
    keep: set[str] = field(default_factory=set)  # CLI vocabulary (template words): never changed
    salt: bytes = field(default_factory=lambda: os.urandom(16), repr=False)
    words: set[str] = field(default_factory=set)
    originals: set[str] = field(default_factory=set)  # serial tails, MACs, IPs seen

    def __post_init__(self) -> None:
        digits = list("0123456789")
        rnd = random.Random(self.salt)
        while any(a == b for a, b in zip(digits, "0123456789")):
            rnd.shuffle(digits)  # a derangement: no digit stays itself
        self._digits = str.maketrans("0123456789", "".join(digits))
        self._ips: dict[str, str] = {}
        self.keep = {k.lower() for k in self.keep}

    # -- what to hide -------------------------------------------------------------------------

    def learn(self, text: str) -> None:
        """Note the private words of one command's text (call for every text before `apply`)."""
        for _start, _end, value in self._private_spans(text):
            self.add_words(value)

    def add_words(self, value: str | None) -> None:
        for word in _WORD.findall(value or ""):
            if _sensitive(word) and word.lower() not in self.keep:
                self.words.add(word)

    def _private_spans(self, text: str) -> list[tuple[int, int, str]]:
        spans = []
        lines = text.split("\n")
        offsets = [0]
        for line in lines:
            offsets.append(offsets[-1] + len(line) + 1)
        for rule in self.rules:
            rx = re.compile(rule.line)
            inside = rule.after is None
            for n, line in enumerate(lines):
                if rule.after is not None:
                    if re.search(rule.after, line):
                        inside = True
                        continue
                    if inside and rule.until and re.search(rule.until, line):
                        inside = False
                if not inside:
                    continue
                for m in rx.finditer(line):
                    if m.group("text"):
                        spans.append((offsets[n] + m.start("text"), offsets[n] + m.end("text"),
                                      m.group("text")))
        return spans

    # -- how -------------------------------------------------------------------------------------

    def shape(self, text: str) -> str:
        out = []
        for c in text:
            if c.isalpha():
                out.append("X" if c.isupper() else "x")
            else:
                out.append(c)
        return "".join(out).translate(self._digits)

    def _hash(self, value: str, n: int) -> str:
        return hmac.new(self.salt, value.upper().encode(), hashlib.sha256).hexdigest()[:n]

    def _serial_tail(self, tail: str) -> str:
        self.originals.add(tail.upper())
        return self._hash(tail, 8).upper()

    def _mac(self, m: re.Match[str]) -> str:
        mac = m.group(0)
        digits = re.sub(r"[^0-9a-fA-F]", "", mac)
        self.originals.add(digits.lower())
        new = digits[:6] + self._hash(digits, 6)
        new = new.upper() if digits.isupper() else new.lower()
        it = iter(new)
        return "".join(next(it) if c not in ":-." else c for c in mac)

    def _ip(self, m: re.Match[str]) -> str:
        ip = m.group(0)
        try:
            addr = ipaddress.IPv4Address(ip)
        except ValueError:
            return ip  # not an address (a version number, an OID piece)
        if addr.is_unspecified or addr.is_loopback or ip.startswith("255.") or (
                addr in ipaddress.IPv4Network("192.0.2.0/24")):
            return ip  # masks and placeholders say nothing
        if ip not in self._ips:
            n = len(self._ips)
            self._ips[ip] = (f"192.0.2.{n + 1}" if n < 254 else f"198.51.100.{n - 253}")
            self.originals.add(ip)
        return self._ips[ip]

    def apply(self, text: str) -> str:
        chars = list(text)
        for start, end, value in self._private_spans(text):
            chars[start:end] = self.shape(value)  # same length: offsets stay valid
        text = "".join(chars)
        text = self._replace_words(text)
        text = _HEX_SERIAL.sub(lambda m: m.group(1) + self._serial_tail(m.group(2))
                               if _is_vendor(m.group(1)) else m.group(0), text)
        text = _TEXT_SERIAL.sub(lambda m: m.group(1) + m.group(2) + self._serial_tail(m.group(3)),
                                text)
        text = _MAC.sub(self._mac, text)
        return _IPV4.sub(self._ip, text)

    def _replace_words(self, text: str) -> str:
        if not self.words:
            return text
        words = self.words
        prefixes = {w[:k] for w in words if not w.isdigit() for k in range(3, len(w))}
        suffixes = {w[k:] for w in words if not w.isdigit() for k in range(1, len(w) - 1)}
        lines = text.split("\n")
        for n, line in enumerate(lines):
            runs = list(_WORD.finditer(line))
            if not runs:
                continue
            chars = list(line)
            for i, m in enumerate(runs):
                word = m.group(0)
                hide = word in words
                if not hide and i == len(runs) - 1 and word in prefixes:
                    hide = True  # cut by the box at the column's end, or wrapped
                if not hide and i == 0 and n > 0 and word in suffixes:
                    prev = list(_WORD.finditer(lines[n - 1]))
                    hide = bool(prev) and (prev[-1].group(0) + word) in words
                if hide:
                    chars[m.start():m.end()] = self.shape(word)
            lines[n] = "".join(chars)
        return "\n".join(lines)

    # -- proof -----------------------------------------------------------------------------------

    def leftovers(self, text: str) -> list[str]:
        """What of the original is still in `text`: private words, serial tails, MACs, IPs."""
        found = {w for w in self.words if re.search(rf"(?<![^\W_]){re.escape(w)}(?![^\W_])", text)}
        found |= {m.group(2) for m in _HEX_SERIAL.finditer(text) if _is_vendor(m.group(1))}
        found |= {m.group(3) for m in _TEXT_SERIAL.finditer(text)}
        found |= {re.sub(r"[^0-9a-fA-F]", "", m.group(0)).lower() for m in _MAC.finditer(text)}
        found |= {m.group(0) for m in _IPV4.finditer(text)}
        return sorted(x for x in found if x in self.words or x.upper() in self.originals
                      or x in self.originals)


def template_words(paths: Iterable[str]) -> set[str]:
    """The CLI's own vocabulary: every word in the templates and profile of a platform."""
    out: set[str] = set()
    for path in paths:
        with open(path, encoding="utf-8") as f:
            out.update(w.lower() for w in _WORD.findall(f.read()))
    return out
