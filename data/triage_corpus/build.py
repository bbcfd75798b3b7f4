#!/usr/bin/env python3
"""Builds data/triage_corpus/appeals.jsonl from the hand-written batches in src/*.txt.

Each batch line: `BLOCK U C CHANNEL PLACE DUP | text`, where BLOCK is a short block id (hou roa tra
edu cul spo saf pro eco oth), U and C are 1/0 for urgent and conflict, CHANNEL a channel id, PLACE a
settlement key (see PLACES) or `-`, DUP `-`, `gN@D` (duplicate group N, received on day D) or
`nN@D` (not a duplicate, kept in the same split as group N, received on day D). The split is fixed
by the line's position (or its group): 60 % train, 20 % validation, 20 % test.
"""
import json
import pathlib
import sys

BLOCKS = {"hou": "housing", "roa": "roads", "tra": "transport", "edu": "education",
          "cul": "culture", "spo": "sport", "saf": "safety", "pro": "property",
          "eco": "economy", "oth": "other"}
PLACES = {"kil": "пгт Килемары", "yuk": "с. Юксары", "ard": "с. Арда", "byu": "с. Большое Юнзо",
          "viz": "п. Визимьяры", "arp": "п. Ардинский", "krm": "п. Красный Мост", "kum": "д. Кумья",
          "yur": "с. Юркино", "may": "п. Майский", "shi": "с. Широкундыш", "nez": "д. Нежнурово",
          "kuk": "п. Кукшенерский", "aza": "д. Азаново", "min": "д. Минзарка",
          "ala": "д. Алатайкино", "bpa": "д. Большие Памъялы"}
SPLITS = ["train"] * 6 + ["validation"] * 2 + ["test"] * 2


def main():
    here = pathlib.Path(__file__).parent
    out = []
    n = 0
    for f in sorted((here / "src").glob("*.txt")):
        for lineno, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            head, _, text = line.partition("|")
            parts = head.split()
            if len(parts) != 6 or not text.strip():
                sys.exit(f"{f.name}:{lineno}: expected 6 fields and a text")
            block, u, c, channel, place, dup = parts
            if block not in BLOCKS or place != "-" and place not in PLACES:
                sys.exit(f"{f.name}:{lineno}: unknown block or place")
            n += 1
            group, day = None, None
            if dup != "-":
                tag, _, d = dup.partition("@")
                day = int(d)
                key = int(tag[1:])
                split = SPLITS[(key * 7) % 10]
                if tag[0] == "g":
                    group = f"{f.stem}-{tag[1:]}"
            else:
                split = SPLITS[n % 10]
            rec = {"id": f"C{n:04d}", "channel": channel, "text": text.strip(),
                   "settlement": PLACES.get(place), "block": BLOCKS[block],
                   "urgent": u == "1", "conflict": c == "1", "dup_group": group, "split": split}
            if day is not None:
                rec["day"] = day
            out.append(json.dumps(rec, ensure_ascii=False))
    (here / "appeals.jsonl").write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"{len(out)} appeals")


if __name__ == "__main__":
    main()
