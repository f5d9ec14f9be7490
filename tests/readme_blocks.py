#!/usr/bin/env python3
"""Runs every shell block of README.md, in order, and checks the outputs
the README shows against what the program prints.

    tests/readme_blocks.py --bin build/bin [--readme README.md] [--keep]

Each block runs in a fresh temporary folder laid out like a clone of the
repository (its top-level files, examples/, scripts/ and build/bin/ as
links), with its own runtime, state and home folders, the programs under
test first on PATH, and absolute paths the README names (/etc/, /srv/,
/opt/) moved inside it. Every command line runs as written otherwise, one
at a time, and must exit 0; one that runs until it is interrupted (a
foreground `up`, `--follow`, `logs -f`) is interrupted after 3 s.

A block is told what it is by an HTML comment on the line before it,
`<!-- readme test: ... -->`:
  skip: WHY                 not run (the whole suite, another host, minutes)
  file PATH [: TEXT]        the block (or TEXT) is the file PATH
  output of CMD, from "L"   CMD's stdout from its line L on is the block
  config                    a config fragment: `readme2ci config check` takes it
A shell block needs no comment; any other block without one is refused,
and so is a shell block that calls what a test cannot run (the suite,
the benchmark, the fuzzers, another host) without a skip.

Stand-ins, the only changes to commands: `scripts/readme2ci` (which
installs and builds first) is the built program itself, and the `ID` of
`result ID` is the id of the last workflow that completed.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

SHELL_LANGS = {"sh", "bash", "shell", "console"}
#  What needs a skip: it cannot run inside a test.
UNRUNNABLE = [
    (re.compile(r"(^|\s)scripts/test\b"), "runs the whole suite"),
    (re.compile(r"(^|\s)scripts/bench\b"), "takes minutes"),
    (re.compile(r"(^|\s)scripts/fuzz\b"), "takes minutes"),
    (re.compile(r"\b(scp|ssh)\s"), "needs another host"),
    (re.compile(r"(^|\s)sudo\s"), "needs root"),
]
UNTIL_INTERRUPTED = [
    re.compile(r"\s--follow\b"),
    re.compile(r"\blogs\b.*\s-f\b"),
    re.compile(r"\breadme2ci up\b(?!.*\s(-d|--detach)\b)"),
]
MARK = re.compile(r"^<!--\s*readme test:\s*(.*?)\s*-->\s*$")


class Block:
    def __init__(self, line, lang, text, marks):
        self.line = line            # 1-based line of the opening fence
        self.lang = lang
        self.text = text
        self.marks = marks          # the comments' directives, in order


def read_blocks(path):
    """The fenced blocks of a Markdown file (nested fences stay inside
    the outer one), each with the readme test comment before it."""
    lines = open(path, encoding="utf-8").read().split("\n")
    blocks = []
    i = 0
    while i < len(lines):
        m = re.match(r"^(`{3,}|~{3,})\s*([\w+-]*)", lines[i])
        if not m:
            i += 1
            continue
        fence, lang = m.group(1), m.group(2).lower()
        marks = []
        j = i - 1
        while j >= 0 and (lines[j].strip() == "" or MARK.match(lines[j])):
            if MARK.match(lines[j]):
                marks.insert(0, MARK.match(lines[j]).group(1))
            j -= 1
        body = []
        k = i + 1
        while k < len(lines) and not (lines[k].startswith(fence[0] * len(fence))
                                      and lines[k].strip() == fence[0] * len(lines[k].strip())
                                      and len(lines[k].strip()) >= len(fence)):
            body.append(lines[k])
            k += 1
        blocks.append(Block(i + 1, lang, "\n".join(body) + "\n", marks))
        i = k + 1
    return blocks


def commands(text):
    """The command lines of a shell block: continuations joined, prompts
    ($ ) taken off, comments and blank lines left out."""
    out, pending = [], ""
    for raw in text.split("\n"):
        line = raw.rstrip()
        if line.startswith("$ "):
            line = line[2:]
        if pending:
            line = pending + " " + line.lstrip()
            pending = ""
        if line.endswith("\\"):
            pending = line[:-1].rstrip()
            continue
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        out.append(line)
    return out


class Sandbox:
    def __init__(self, repo, bin_dir, keep):
        self.repo, self.bin = repo, bin_dir
        self.top = tempfile.mkdtemp(prefix="r2ci-readme.")
        self.keep = keep
        t = self.top
        for name in os.listdir(repo):
            src = os.path.join(repo, name)
            if name.startswith(".") or name.startswith("build"):
                continue
            # files copied (generate refuses links that lead outside a
            # project), folders linked
            if os.path.isdir(src):
                os.symlink(src, os.path.join(t, name))
            else:
                shutil.copy(src, os.path.join(t, name))
        os.makedirs(os.path.join(t, "build"))
        os.symlink(bin_dir, os.path.join(t, "build", "bin"))
        # what the README's paths stand for
        os.makedirs(os.path.join(t, "path", "to"))
        os.symlink(os.path.join(repo, "examples", "todo-api"),
                   os.path.join(t, "path", "to", "project"))
        os.makedirs(os.path.join(t, "projects"))
        for name in ("todo-api", "ringbuf"):
            os.symlink(os.path.join(repo, "examples", name), os.path.join(t, "projects", name))
        for d in ("etc", "srv/backups", "opt/r2/bin", "home", "run", "state"):
            os.makedirs(os.path.join(t, d), exist_ok=True)
        os.chmod(os.path.join(t, "run"), 0o700)
        shutil.copy(os.path.join(repo, "examples", "readme2ci.yml"),
                    os.path.join(t, "etc", "readme2ci.yml"))
        os.symlink(os.path.join(bin_dir, "readme2ci-detector"),
                   os.path.join(t, "opt", "r2", "bin", "readme2ci-detector"))
        # nothing of the caller's tree, and no proxy: the blocks talk to
        # 127.0.0.1 only
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("R2CI_", "README2CI_", "XDG_"))
               and not k.lower().endswith("_proxy")}
        env.update({
            "PATH": bin_dir + os.pathsep + env.get("PATH", "/usr/bin:/bin"),
            "README2CI_RUNTIME_DIR": os.path.join(t, "run"),
            "README2CI_STATE_DIR": os.path.join(t, "state"),
            "HOME": os.path.join(t, "home"),
            "EDITOR": "true",
            "NO_COLOR": "1",
        })
        self.env = env

    def localise(self, line):
        line = re.sub(r"(?<![\w./-])/(etc|srv|opt)/", self.top + r"/\1/", line)
        line = re.sub(r"(^|\s)scripts/readme2ci\s", r"\1" + self.bin + "/readme2ci ", line)
        if re.search(r"\bresult ID\b", line):
            line = re.sub(r"\bresult ID\b", "result " + self.last_workflow(), line)
        return line

    def last_workflow(self):
        """The id of the last workflow that completed, from the journal."""
        proc = subprocess.run(["readme2ci", "events", "--type", "workflow.completed",
                               "--json"], cwd=self.top, env=self.env, capture_output=True,
                              timeout=60)
        lines = proc.stdout.decode(errors="replace").strip().split("\n")
        try:
            return json.loads(lines[-1])["workflow_id"]
        except (ValueError, KeyError, IndexError):
            return "ID"

    def run(self, line, timeout=300):
        interrupted = any(p.search(line) for p in UNTIL_INTERRUPTED)
        script = self.localise(line)
        proc = subprocess.Popen(["bash", "-o", "pipefail", "-c", script], cwd=self.top,
                                env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True)
        try:
            out, err = proc.communicate(timeout=3 if interrupted else timeout)
        except subprocess.TimeoutExpired:
            # Ctrl-C, as a user ends it; then the whole group, by its id
            os.killpg(proc.pid, signal.SIGINT)
            try:
                out, err = proc.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                out, err = proc.communicate()
            if interrupted:
                return 0, out.decode(errors="replace"), err.decode(errors="replace")
            return -1, out.decode(errors="replace"), err.decode(errors="replace") + \
                "\n(timed out after %d s)" % timeout
        return proc.returncode, out.decode(errors="replace"), err.decode(errors="replace")

    def stop_tree(self):
        self.run("readme2ci down", timeout=60)
        pid_file = os.path.join(self.top, "run", "supervisor.pid")
        try:
            pid = int(open(pid_file).read().strip() or 0)
        except (OSError, ValueError):
            pid = 0
        if pid > 0:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass

    def close(self):
        self.stop_tree()
        if not self.keep:
            shutil.rmtree(self.top, ignore_errors=True)


def check(readme, bin_dir, keep):
    repo = os.path.dirname(os.path.abspath(readme))
    failures = []
    box = Sandbox(repo, os.path.abspath(bin_dir), keep)
    ran = skipped = 0
    try:
        for block in read_blocks(readme):
            where = "%s:%d" % (os.path.basename(readme), block.line)
            # files given inline are written first; the other comment
            # says what the block is
            mark = ""
            for directive in block.marks:
                path, _, inline = directive[5:].partition(":")
                if directive.startswith("file ") and inline.strip():
                    target = os.path.join(box.top, path.strip())
                    os.makedirs(os.path.dirname(target), exist_ok=True)
                    with open(target, "w", encoding="utf-8") as f:
                        f.write(inline.strip() + "\n")
                elif mark:
                    failures.append("%s: two comments say what the block is" % where)
                else:
                    mark = directive
            if mark.startswith("skip:"):
                skipped += 1
                continue
            if mark.startswith("file "):
                target = os.path.join(box.top, mark[5:].strip())
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with open(target, "w", encoding="utf-8") as f:
                    f.write(block.text)
                ran += 1
                continue
            if mark.startswith("output of "):
                m = re.match(r'output of (.*?), from "(.*)"$', mark)
                if not m:
                    failures.append("%s: cannot read the comment: %s" % (where, mark))
                    continue
                code, out, err = box.run(m.group(1))
                if code != 0:
                    failures.append("%s: `%s` exited %d: %s" % (where, m.group(1), code, err))
                    continue
                start = out.find("\n" + m.group(2))
                shown = out[start + 1:] if start >= 0 else out
                if shown != block.text:
                    import difflib
                    diff = "".join(difflib.unified_diff(
                        block.text.splitlines(True), shown.splitlines(True),
                        "README.md:%d" % block.line, m.group(1)))
                    failures.append("%s: the README shows what `%s` no longer prints:\n%s"
                                    % (where, m.group(1), diff))
                ran += 1
                continue
            if mark == "config":
                path = os.path.join(box.top, "readme-block-%d.yml" % block.line)
                with open(path, "w", encoding="utf-8") as f:
                    f.write(block.text)
                code, out, err = box.run("readme2ci config check %s" % path)
                if code != 0:
                    failures.append("%s: config check: %s%s" % (where, out, err))
                ran += 1
                continue
            if mark:
                failures.append("%s: unknown readme test comment: %s" % (where, mark))
                continue
            if block.lang not in SHELL_LANGS:
                failures.append("%s: a %s block with no `<!-- readme test: ... -->` comment "
                                "saying what it is" % (where, block.lang or "plain"))
                continue
            if block.lang == "console":
                failures.append("%s: a console block outside a file: say what it is"
                                % where)
                continue
            lines = commands(block.text)
            refused = [(l, why) for l in lines for p, why in UNRUNNABLE if p.search(l)]
            if refused:
                failures.append("%s: cannot run `%s` (%s): mark the block with "
                                "`<!-- readme test: skip: WHY -->`" % (where, refused[0][0],
                                                                       refused[0][1]))
                continue
            for line in lines:
                code, out, err = box.run(line)
                if code != 0:
                    failures.append("%s: `%s` exited %d:\n%s%s" % (where, line, code,
                                                                    out[-2000:], err[-2000:]))
                    break
            ran += 1
    finally:
        box.close()
    print("README blocks: %d run or checked, %d skipped as marked, %d failed"
          % (ran, skipped, len(failures)))
    for failure in failures:
        print("FAIL " + failure, file=sys.stderr)
    return 1 if failures else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", required=True, help="folder of the built programs")
    parser.add_argument("--readme", default=os.path.join(os.path.dirname(__file__), "..",
                                                         "README.md"))
    parser.add_argument("--keep", action="store_true", help="leave the folder for a look")
    args = parser.parse_args()
    sys.exit(check(args.readme, args.bin, args.keep))


if __name__ == "__main__":
    main()
