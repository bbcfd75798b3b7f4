#!/usr/bin/env python3
"""Baseline for mcu's block classifier: scikit-learn TF-IDF + logistic regression.

Cross-validates on the same folds as `mcu eval --cv K --folds-out FOLDS FILE` and, like mcu,
trains each fold's model on the shipped seed examples plus the other folds. Two feature sets:
word unigrams+bigrams, and character 2-5-grams within word boundaries (both TF-IDF, sublinear tf).

    mcu eval --cv 5 --folds-out /tmp/folds.json ../shared/data/appeals_dev.jsonl
    python3 benches/baseline_tfidf.py --folds /tmp/folds.json --seeds data/triage_seeds.jsonl \
        ../shared/data/appeals_dev.jsonl

Needs scikit-learn (pip install scikit-learn).
"""
import argparse
import json
import sys

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.pipeline import make_pipeline, make_union

# The Russian names the labelled file uses, mapped to mcu's block ids.
NAMES = {
    "жкх": "housing", "дороги": "roads", "транспорт": "transport", "образование": "education",
    "культура": "culture", "спорт": "sport", "безопасность": "safety", "имущество": "property",
    "экономика": "economy", "другое": "other",
}


def block_id(b):
    b = b.strip().lower().replace("ё", "е")
    return NAMES.get(b, b)


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def models():
    words = TfidfVectorizer(lowercase=True, ngram_range=(1, 2), sublinear_tf=True, min_df=1)
    chars = TfidfVectorizer(lowercase=True, analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
    lr = dict(C=10.0, max_iter=2000)
    return {
        "tfidf words 1-2 + LR": lambda: make_pipeline(
            TfidfVectorizer(lowercase=True, ngram_range=(1, 2), sublinear_tf=True),
            LogisticRegression(**lr)),
        "tfidf words + char_wb 2-5 + LR": lambda: make_pipeline(
            make_union(words, chars), LogisticRegression(**lr)),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file")
    ap.add_argument("--folds", required=True, help="JSON written by mcu eval --folds-out")
    ap.add_argument("--seeds", help="seed examples trained on in every fold (data/triage_seeds.jsonl)")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()

    items = read_jsonl(a.file)
    folds = json.load(open(a.folds, encoding="utf-8"))
    k, fold_of = folds["k"], folds["folds"]
    seeds = read_jsonl(a.seeds) if a.seeds else []
    seed_x = [s["text"] for s in seeds]
    seed_y = [block_id(s["block"]) for s in seeds]
    y_true = [block_id(r["block"]) for r in items]

    results = {}
    for with_seeds in ([False, True] if seeds else [False]):
        for name, make in models().items():
            pred = [None] * len(items)
            for f in range(k):
                tr = [i for i, r in enumerate(items) if fold_of[str(r["id"])] != f]
                te = [i for i, r in enumerate(items) if fold_of[str(r["id"])] == f]
                x = [items[i]["text"] for i in tr]
                y = [y_true[i] for i in tr]
                if with_seeds:
                    x, y = seed_x + x, seed_y + y
                m = make().fit(x, y)
                for i, p in zip(te, m.predict([items[i]["text"] for i in te])):
                    pred[i] = p
            label = name + (" (seeds + folds)" if with_seeds else " (folds only)")
            results[label] = {
                "accuracy": accuracy_score(y_true, pred),
                "macro_f1": f1_score(y_true, pred, average="macro"),
            }
    if a.json:
        json.dump({"cv": k, "baselines": results}, sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        print(f"scikit-learn baselines, {k}-fold CV on {len(items)} appeals:")
        for name, r in results.items():
            print(f"  {name:<52} accuracy {r['accuracy']:.3f}  macro-F1 {r['macro_f1']:.3f}")


if __name__ == "__main__":
    main()
