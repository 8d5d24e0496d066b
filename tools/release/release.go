package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/mod/semver"
)

// release is the maintainer's procedure for version v, on a clean tree:
//
//  1. refuse a version that is not above every released version of every published module, a
//     tag that exists, and a CHANGELOG.md without a section for v;
//  2. compare each published module's API with its previous tag (apiCheck);
//  3. require every sibling at v in every go.mod, and commit that if it changed anything;
//  4. run the release check on that commit, and undo the commit if it fails;
//  5. tag every published module (core/v0.1.0, adapters/gin/v0.1.0, ...), annotated.
//
// Nothing is pushed: it prints the command that publishes the release.
func release(ctx context.Context, w *workspace, cfg checkConfig, v string, opt checkOptions) error {
	logf := opt.logf
	status, err := git(w.root, "status", "--porcelain")
	if err != nil {
		return err
	}
	if strings.TrimSpace(status) != "" {
		return fmt.Errorf("the working tree has changes; commit or stash them first:\n%s", indent(status))
	}
	tags, err := gitTags(w.root)
	if err != nil {
		return err
	}
	for _, m := range w.published() {
		for _, t := range tags {
			tv, ok := strings.CutPrefix(t, m.dir+"/")
			if ok && semver.IsValid(tv) && semver.Compare(tv, v) >= 0 {
				return fmt.Errorf("%s is already released at %s (tag %s): a release must be above every released version", m.dir, tv, t)
			}
		}
	}
	if err := changelogHas(w.root, v); err != nil {
		return err
	}

	logf("== API compatibility with the previous release")
	if err := apiCheck(ctx, w, v, logf); err != nil {
		return fmt.Errorf("API check: %w", err)
	}

	orig, err := git(w.root, "rev-parse", "HEAD")
	if err != nil {
		return err
	}
	orig = strings.TrimSpace(orig)
	changed, err := w.bump(v)
	if err != nil {
		return err
	}
	committed := false
	if len(changed) > 0 {
		logf("== requiring every sibling at %s in %d files (go.mod and go.work)", v, len(changed))
		if _, err := git(w.root, append([]string{"add", "--"}, changed...)...); err != nil {
			return err
		}
		msg := fmt.Sprintf("release: every module requires its siblings at %s", v)
		if _, err := git(w.root, "commit", "-q", "-m", msg); err != nil {
			return err
		}
		committed = true
	} else {
		logf("== every go.mod already requires its siblings at %s", v)
	}

	logf("== release check")
	opt.version = ""
	if err := runCheck(ctx, w, cfg, opt); err != nil {
		if committed {
			if _, rerr := git(w.root, "reset", "-q", "--hard", orig); rerr != nil {
				return errors.Join(err, rerr)
			}
			logf("the release commit was undone (back at %s)", orig[:12])
		}
		return err
	}

	var made []string
	for _, m := range w.published() {
		t := m.tag(v)
		if _, err := git(w.root, "tag", "-a", t, "-m", m.path+" "+v); err != nil {
			return errors.Join(err, deleteTags(w.root, made))
		}
		made = append(made, t)
	}
	head, err := git(w.root, "rev-parse", "--short", "HEAD")
	if err != nil {
		return err
	}
	branch, err := git(w.root, "rev-parse", "--abbrev-ref", "HEAD")
	if err != nil {
		return err
	}
	logf("== tagged %s with %d tags:", strings.TrimSpace(head), len(made))
	for _, t := range made {
		logf("   %s", t)
	}
	logf("nothing is pushed; to publish:\n   git push origin %s %s", strings.TrimSpace(branch), strings.Join(made, " "))
	return nil
}

func deleteTags(root string, tags []string) error {
	if len(tags) == 0 {
		return nil
	}
	_, err := git(root, append([]string{"tag", "-d"}, tags...)...)
	return err
}

// changelogHas requires a "## [X.Y.Z]" (or "## [vX.Y.Z]") section in CHANGELOG.md: the entry
// is written by hand before the release, from the Unreleased section.
func changelogHas(root, v string) error {
	data, err := os.ReadFile(filepath.Join(root, "CHANGELOG.md"))
	if err != nil {
		return err
	}
	heads := []string{"## [" + strings.TrimPrefix(v, "v") + "]", "## [" + v + "]"}
	for line := range strings.SplitSeq(string(data), "\n") {
		if slices.ContainsFunc(heads, func(h string) bool { return strings.HasPrefix(line, h) }) {
			return nil
		}
	}
	return fmt.Errorf("CHANGELOG.md has no section %q: move the Unreleased entries under it first", heads[0])
}
