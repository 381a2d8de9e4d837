"""The example ISMS with a synthetic git history, for bench/history.sh.

    python3 bench/history_repo.py OUT POLICIES COMMITS

OUT/content is the example's content with more policies (copies of the example's, with ids
of their own) up to POLICIES. OUT becomes a git repository whose first commit is that
content; then COMMITS commits follow, each editing one policy chosen at random (a sentence
added), and every fifth of them approving that policy again (a new version and approval
date). Written through `git fast-import`, so thousands of commits take seconds.
Deterministic: the same arguments give the same repository.
"""

import os
import random
import re
import shutil
import subprocess
import sys


EXAMPLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "content")


def main():
    parent, count, commits = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rng = random.Random(commits)
    if os.path.exists(parent):
        shutil.rmtree(parent)
    shutil.copytree(EXAMPLE, os.path.join(parent, "content"))
    policies_dir = os.path.join(parent, "content", "policies")
    originals = sorted(os.listdir(policies_dir))
    for index in range(count - len(originals)):
        source = originals[index % len(originals)]
        text = open(os.path.join(policies_dir, source), encoding="utf-8").read()
        text = re.sub(r"^id: (.*)$", lambda m: f"id: {m.group(1)}-{index:04d}", text, count=1, flags=re.M)
        with open(os.path.join(policies_dir, f"synthetic-{index:04d}.md"), "w", encoding="utf-8") as handle:
            handle.write(text)
    names = sorted(os.listdir(policies_dir))
    texts = {name: open(os.path.join(policies_dir, name), encoding="utf-8").read() for name in names}
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null")
    subprocess.run(["git", "init", "--quiet", "--initial-branch=main", parent], check=True, env=env)
    subprocess.run(["git", "-C", parent, "add", "--all"], check=True, env=env)
    subprocess.run(["git", "-C", parent, "-c", "user.name=Bench", "-c", "user.email=bench@example.org",
                    "commit", "--quiet", "-m", "Generated ISMS"], check=True, env=dict(
                        env, GIT_AUTHOR_DATE="2025-01-01T09:00:00Z", GIT_COMMITTER_DATE="2025-01-01T09:00:00Z"))
    stream = []
    time = 1735722000  # 2025-01-01T09:00Z
    for index in range(commits):
        name = rng.choice(names)
        text = texts[name]
        text = text.rstrip("\n") + f"\n\nAmendment {index}: the owner reviews this section again.\n"
        if index % 5 == 0:
            version = re.search(r'^version: "(\d+)\.(\d+)"$', text, re.M)
            if version:
                major, minor = int(version.group(1)), int(version.group(2)) + 1
                text = text.replace(version.group(0), f'version: "{major}.{minor}"', 1)
            day = 1 + index % 28
            text = re.sub(r"^approved: .*$", f"approved: 2026-01-{day:02d}", text, count=1, flags=re.M)
        texts[name] = text
        time += 3600
        data = text.encode("utf-8")
        message = f"Edit {name} ({index})".encode("utf-8")
        stream.append(b"commit refs/heads/main\n")
        stream.append(f"committer Bench <bench@example.org> {time} +0000\n".encode())
        stream.append(b"data %d\n%s\n" % (len(message), message))
        if index == 0:
            stream.append(b"from refs/heads/main^0\n")
        stream.append(f"M 100644 inline content/policies/{name}\n".encode())
        stream.append(b"data %d\n%s\n" % (len(data), data))
    subprocess.run(["git", "-C", parent, "fast-import", "--quiet", "--force"], input=b"".join(stream), check=True, env=env)
    subprocess.run(["git", "-C", parent, "reset", "--quiet", "--hard"], check=True, env=env)
    for name, text in texts.items():
        with open(os.path.join(policies_dir, name), encoding="utf-8") as handle:
            assert handle.read() == text, name


if __name__ == "__main__":
    main()
