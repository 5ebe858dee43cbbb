"""Reads the --json reports `compare.sh` collected (A.ROUND.json, B.ROUND.json) and prints, for every
number both revisions report, the median of each and the ratio B/A, with each round's figures."""
import argparse
import json
import pathlib
import statistics


def reports(directory, label, rounds):
    """Each round's figures: the numbers of the report's JSON lines, merged (a later line wins)."""
    found = []
    for round_number in range(1, rounds + 1):
        figures = {}
        for line in (directory / f"{label}.{round_number}.json").read_text().splitlines():
            line = line.strip()
            if not line.startswith("{"):
                continue
            for key, value in json.loads(line).items():
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    figures[key] = float(value)
        found.append(figures)
    return found


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--a", required=True)
    parser.add_argument("--b", required=True)
    parser.add_argument("--rounds", type=int, required=True)
    parser.add_argument("directory")
    arguments = parser.parse_args()
    directory = pathlib.Path(arguments.directory)
    a = reports(directory, "A", arguments.rounds)
    b = reports(directory, "B", arguments.rounds)
    keys = [key for key in a[0] if all(key in r for r in a + b)]
    width = max([len(key) for key in keys] + [6])
    print(f"A = {arguments.a}, B = {arguments.b}; {arguments.rounds} rounds, run alternately")
    print(f"{'figure':<{width}}  {'median A':>12}  {'median B':>12}  {'B/A':>6}  rounds (A | B)")
    for key in keys:
        values_a = [r[key] for r in a]
        values_b = [r[key] for r in b]
        median_a = statistics.median(values_a)
        median_b = statistics.median(values_b)
        ratio = f"{median_b / median_a:6.2f}" if median_a else "     -"
        rounds = " ".join(f"{v:g}" for v in values_a) + " | " + " ".join(f"{v:g}" for v in values_b)
        print(f"{key:<{width}}  {median_a:12.6g}  {median_b:12.6g}  {ratio}  {rounds}")


if __name__ == "__main__":
    main()
