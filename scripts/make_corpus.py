#!/usr/bin/env python3
"""Regenerates flows/data/kjv.tsv, the hello-world corpus, from Debian's bible-kjv package.

The King James Version (1611/1769) is in the public domain. We keep Psalms, Proverbs and the New
Testament: 11,333 verses, one per line as "Book chapter:verse<TAB>text".
Run: apt-get install -y bible-kjv && scripts/make_corpus.py > flows/data/kjv.tsv
"""
import re
import subprocess
import sys

RANGES = ["ps1:1-pro31:31", "mat1:1-rev22:21"]


def verses(spec):
    text = subprocess.run(["bible", "-l100000", spec], check=True, capture_output=True,
                          text=True).stdout
    chapter = None
    for line in text.splitlines():
        heading = re.fullmatch(r"(\S.*\S) (\d+)", line)
        if heading:
            chapter = heading.group(1), heading.group(2)
            continue
        verse = re.fullmatch(r"\s+(\d+) (.+)", line)
        if verse and chapter:
            yield f"{chapter[0]} {chapter[1]}:{verse.group(1)}", verse.group(2).strip()


for spec in RANGES:
    for ref, text in verses(spec):
        sys.stdout.write(f"{ref}\t{text}\n")
