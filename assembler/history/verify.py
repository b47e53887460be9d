"""Verify recorded versions: rebuild each from its own commit and compare byte for byte.

For every version: its manifest parses and names it; every source's blob id in the
manifest matches the commit's tree; every output's SHA-256 matches; rebuilding from the
sources in that commit alone gives identical bytes; its tag, if present, points at it.
Then: version numbers are gap-free, the branch tip still holds the latest version's files
unaltered, and ``git fsck`` is clean. Read-only: nothing is written to the workspace.
"""

from __future__ import annotations

import tempfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from assembler.errors import AssemblerError
from assembler.history import manifest as mf, reading as history
from assembler.repo import checkout
from assembler.repo.store import GitStore
from assembler.sources.files import decode_source, is_within
from assembler.version import TOOL_NAME, __version__

# (workspace root holding the sources, manifest, epoch) -> (sources digest, {output name: bytes})
Rebuilder = Callable[[Path, dict, int], tuple[str, dict[str, bytes]]]


@dataclass
class VersionCheck:
    document: str
    version: int
    commit: str
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # outputs a renderer other than this one made, whose bytes this one does not reproduce
    # (content identical): notes, or problems under ``verify --strict``
    rendered_elsewhere: list[str] = field(default_factory=list)
    strict: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems and not (self.strict and self.rendered_elsewhere)

    def data(self) -> dict:
        return {"document": self.document, "version": self.version, "commit": self.commit,
                "ok": self.ok, "problems": self.problems, "notes": self.notes,
                "rendered_elsewhere": self.rendered_elsewhere}


@dataclass
class Report:
    versions: list[VersionCheck]
    problems: list[str]
    fsck_ok: bool
    fsck_output: str

    @property
    def ok(self) -> bool:
        return self.fsck_ok and not self.problems and all(v.ok for v in self.versions)

    def data(self) -> dict:
        return {"ok": self.ok, "problems": self.problems,
                "fsck": {"ok": self.fsck_ok, "output": self.fsck_output},
                "versions": [v.data() for v in self.versions]}


def check_version(store: GitStore, version: history.Version, rebuild: Rebuilder,
                  strict: bool = False) -> VersionCheck:
    """Every check of one version against its own commit (``strict``: an output another
    renderer made that this one does not reproduce fails)."""
    check = VersionCheck(version.document, version.number, version.commit, strict=strict)
    doc = version.document
    if version.tag is None:
        tags = store.tags(version.tag_name)
        if version.tag_name in tags:
            check.problems.append(f"tag {version.tag_name} points at {tags[version.tag_name][:12]}, "
                                  f"not at the version's commit {version.commit[:12]}")
        else:
            check.notes.append(f"tag {version.tag_name} is missing (a clone without tags, or an "
                               "interrupted assembly)")
    path = history.manifest_path(doc)
    raw = store.read_file(version.commit, path)
    if raw is None:
        check.problems.append(f"{path}: missing from commit {version.commit[:12]}")
        return check
    try:
        manifest = mf.loads(raw)
    except ValueError as exc:
        check.problems.append(f"{path}: unreadable ({exc})")
        return check
    if manifest.get("document") != doc or manifest.get("version") != version.number:
        check.problems.append(f"{path}: names {manifest.get('document')} v{manifest.get('version')}, "
                              f"but the commit records {doc} v{version.number}")
    tree = store.tree_blobs(version.commit)
    sources = mf.sources(manifest)
    for source in sources:
        actual = tree.get(source.path)
        if actual != source.blob:
            check.problems.append(f"{source.path}: blob {str(actual)[:12]} in the commit, but the "
                                  f"manifest records {source.blob[:12]}")
    committed: dict[str, bytes] = {}
    for name, expected in manifest["outputs"].items():
        out_path = history.output_path(doc, name)
        data = store.read_file(version.commit, out_path)
        if data is None:
            check.problems.append(f"{out_path}: missing from commit {version.commit[:12]}")
            continue
        committed[name] = data
        if mf.sha256(data) != expected["sha256"]:
            check.problems.append(f"{out_path}: SHA-256 {mf.sha256(data)[:16]}… differs from the "
                                  f"manifest's {expected['sha256'][:16]}…")
    if check.problems:
        return check
    if store.signing("commit.gpgsign") and not store.verify_signature("commit", version.commit):
        check.problems.append(f"commit {version.commit[:12]} has no valid signature, but the "
                              "workspace signs commits (commit.gpgsign)")
    if version.tag and store.signing("tag.gpgSign") and not store.verify_signature("tag", version.tag):
        check.problems.append(f"tag {version.tag} has no valid signature, but the workspace signs "
                              "tags (tag.gpgSign)")
    with tempfile.TemporaryDirectory(prefix="assembler-verify-") as tmp:
        root = Path(tmp)
        for folder in ("clauses", "templates", "versions"):
            (root / folder).mkdir()
        contents = store.read_many([(version.commit, source.path) for source in sources])
        for source, data in zip(sources, contents):
            if not is_within(root, root / source.path):
                check.problems.append(f"{path}: names a source outside the workspace ({source.path})")
                return check
            target = root / source.path
            target.parent.mkdir(parents=True, exist_ok=True)
            data = data or b""
            if source.kind != "reference":
                hidden = [p for p in decode_source(data, source.path)[1]]
                check.problems.extend(f"{p}" for p in hidden[:3])
            target.write_bytes(data)
        if check.problems:
            return check
        try:
            digest, rebuilt = rebuild(root, manifest, version.time)
        except AssemblerError as exc:
            check.problems.append(f"rebuild failed: {'; '.join(exc.lines())}")
            return check
    if manifest.get("sources_digest") and digest != manifest["sources_digest"]:
        check.problems.append(f"{path}: sources digest {manifest['sources_digest']} does not match "
                              f"the sources in the commit ({digest})")
    _compare_outputs(check, manifest, committed, rebuilt)
    return check


def _compare_outputs(check: VersionCheck, manifest: dict, committed: dict[str, bytes],
                     rebuilt: dict[str, bytes]) -> None:
    """Reproducibility: the content (JSON model, canonical Markdown) must rebuild byte for
    byte with any toolkit; a rendering (HTML, DOCX, PDF) must when the renderer recorded in
    the manifest is this one. A rendering another renderer made is compared too, and when
    its bytes differ while the content rebuilt identically, that is said, not failed
    (``rendered_elsewhere``; ``verify --strict`` fails it)."""
    from assembler import writers
    doc = check.document
    current = writers.renderer_identity()
    recorded = manifest.get("renderer")
    tool = manifest.get("tool", {})
    content_same = all(rebuilt.get(name) == data for name, data in committed.items()
                       if name.rsplit(".", 1)[-1] in writers.CONTENT)
    for name, data in committed.items():
        if rebuilt.get(name) == data:
            continue
        fmt = name.rsplit(".", 1)[-1]
        path = history.output_path(doc, name)
        then = writers.rendered_by(recorded, fmt)
        same_renderer = bool(then) and then == writers.rendered_by(current, fmt)
        if fmt in writers.CONTENT or same_renderer or not content_same:
            hint = ""
            if tool.get("version") != __version__:
                hint = f" (made by {tool.get('name')} {tool.get('version')}; this is {TOOL_NAME} {__version__})"
            check.problems.append(f"{path}: rebuilding from commit {check.commit[:12]} gives "
                                  f"different bytes{hint}")
            continue
        made = (writers.describe_renderer(then, fmt) if then else
                f"{tool.get('name')} {tool.get('version')} (renderer not recorded)")
        check.rendered_elsewhere.append(
            f"{path}: rendered by {made}; this is {writers.describe_renderer(writers.rendered_by(current, fmt), fmt)}"
            ", whose bytes differ: not byte-compared; content identical (the JSON model and the "
            "Markdown rebuild byte for byte)")


def check_work_tree(store: GitStore, latest: history.Version) -> list[str]:
    """The work tree must hold the latest version's outputs as recorded (a write that failed
    after the commit, or a killed assembly, leaves another version's files there)."""
    if store.is_detached() or store.resolve(store.head_ref()) is None:
        return []
    from assembler.history.versions import stale_outputs
    problems = []
    for path, data in sorted(stale_outputs(store, latest.document).items()):
        if data is None:
            problems.append(f"{path} in the work tree holds edits never recorded; the latest "
                            f"version ({latest.document} v{latest.number}) has other bytes")
        else:
            problems.append(f"{path} in the work tree is not what the latest version recorded "
                            f"(a write failed after recording?); assembler assemble "
                            f"{latest.document} writes it again")
    return problems


def check_tip(store: GitStore, latest: history.Version, branch: str) -> list[str]:
    """The branch tip must still hold the latest version's manifest and outputs unaltered."""
    tip = store.resolve(branch)
    if tip is None or tip == latest.commit:
        return []
    problems = []
    doc = latest.document
    at_version = store.tree_blobs(latest.commit, history.folder(doc))
    at_tip = store.tree_blobs(tip, history.folder(doc))
    for path, blob in sorted(at_version.items()):
        if path.endswith("/status.json") or "/" in path[len(history.folder(doc)) + 1:]:
            continue   # adoption, review rounds and language versions change between versions
        if at_tip.get(path) != blob:
            what = "deleted" if path not in at_tip else "altered"
            problems.append(f"{path}: {what} after {doc} v{latest.number} (commit "
                            f"{latest.commit[:12]}) without a new version")
    return problems


def _check_safely(store: GitStore, version: history.Version, rebuild: Rebuilder,
                  strict: bool = False) -> VersionCheck:
    try:
        return check_version(store, version, rebuild, strict)
    except (AssemblerError, ValueError, OSError, zlib.error, *store.errors) as exc:
        failed = VersionCheck(version.document, version.number, version.commit)
        failed.problems.append(f"objects of commit {version.commit[:12]} cannot be read "
                               f"({type(exc).__name__}: {exc}); see git fsck below")
        return failed


_WORKER: dict = {}


def _start_worker(root: str, rebuild: Rebuilder, strict: bool) -> None:
    _WORKER.update(store=GitStore(Path(root)), rebuild=rebuild, strict=strict)


def _check_in_worker(version: history.Version) -> VersionCheck:
    return _check_safely(_WORKER["store"], version, _WORKER["rebuild"], _WORKER["strict"])


def _checks(store: GitStore, versions: list[history.Version], rebuild: Rebuilder, jobs: int,
            progress, strict: bool = False) -> list[VersionCheck]:
    """Every version checked, in order; with ``jobs`` > 1 in that many processes (each
    version's rebuild is independent and CPU-bound). ``rebuild`` must then be a module-level
    function, so that it can be handed to the processes."""
    total = len(versions)
    if jobs <= 1 or total < 3:
        found = []
        for index, version in enumerate(versions, start=1):
            if progress:
                progress(version, index, total)
            found.append(_check_safely(store, version, rebuild, strict))
        return found
    from concurrent.futures import ProcessPoolExecutor
    found = []
    with ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker,
                             initargs=(str(store.root), rebuild, strict)) as pool:
        for index, (version, check) in enumerate(zip(versions, pool.map(_check_in_worker, versions,
                                                                         chunksize=1)), start=1):
            if progress:
                progress(version, index, total)
            found.append(check)
    return found


def verify(store: GitStore, document: str | None, rebuild: Rebuilder,
           progress: Callable[[history.Version, int, int], None] | None = None,
           jobs: int = 1, more_checks: tuple[Callable[[GitStore, str, str], list[str]], ...] = (),
           strict: bool = False) -> Report:
    """Check every version (of ``document`` or all) and the repository itself;
    ``more_checks(store, document, branch)`` are the higher layers' own checks of a document
    (the review rounds' recorded files), run with the rest; ``strict`` fails renderings
    another renderer made that this one does not reproduce byte for byte."""
    store.require_full_history()
    branch = store.head_ref()
    versions = history.read_versions(store, document)
    if document and not versions:
        history.find_version(history.read_versions(store), document, None)
    problems = []
    checks = _checks(store, versions, rebuild, jobs, progress, strict)
    for doc in history.documents(versions):
        numbers = [v.number for v in versions if v.document == doc]
        missing = sorted(set(range(1, max(numbers) + 1)) - set(numbers))
        if missing:
            problems.append(f"{doc}: version numbers have gaps: "
                            f"{', '.join('v%d' % n for n in missing)} missing from the history")
        latest = [v for v in versions if v.document == doc][-1]
        for check in (lambda: check_tip(store, latest, branch), lambda: check_work_tree(store, latest),
                      lambda: check_tags(store, doc, versions),
                      *[lambda more=more: more(store, doc, branch) for more in more_checks]):
            try:
                problems.extend(check())
            except AssemblerError as exc:
                problems.extend(exc.lines())
    fsck_ok, fsck_output = store.fsck()
    return Report(checks, problems, fsck_ok, fsck_output)


def check_tags(store: GitStore, doc: str, versions: list[history.Version]) -> list[str]:
    """Every ``<doc>/vN`` tag must name a version of the history (a tag left by a deleted
    version or a rewritten history is named with its commit); round tags must point at
    commits of their round."""
    problems = []
    known = {v.number: v.commit for v in versions if v.document == doc}
    entries = {e.commit: e for e in store.log(store.head_ref())}
    detached = store.is_detached()

    def later(commit: str) -> bool:
        """On a detached HEAD, a tag of a version recorded after it is no problem."""
        return detached and checkout.is_ancestor_of_head(store, commit)

    for name, commit in sorted(store.tags(doc + "/").items()):
        rest = name[len(doc) + 1:]
        label = history.LABEL.match(rest)
        if label and rest.startswith("v"):
            number = int(label.group(1))
            if number not in known and not later(commit):
                problems.append(f"tag {name} points at {commit[:12]}, but the branch's history has "
                                f"no {doc} v{number} (a deleted version or a rewritten history)")
        elif rest.count("/") == 1 and rest.endswith(("/open", "/close", "/cancel")):
            round_id = rest.rsplit("/", 1)[0]
            entry = entries.get(commit)
            if (entry is None and not later(commit)) or (entry is not None and entry.trailer("Round") != round_id):
                problems.append(f"tag {name} points at {commit[:12]}, which is not a commit of round "
                                f"'{round_id}' on this branch (moved, or the history was rewritten)")
    return problems
