// compose-config loads a Compose file the way `docker compose config` does (compose-go: schema validation,
// interpolation from an env file, YAML merge keys, consistency checks such as depends_on targets) and prints the
// resolved project as JSON; `compose-config --schema` prints the Compose specification's JSON schema it validates
// against. The tests use it where no Docker engine or Compose plugin is available.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/schema"
)

func main() {
	if len(os.Args) == 2 && os.Args[1] == "--schema" {
		_, _ = os.Stdout.WriteString(schema.Schema)
		return
	}
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: compose-config <compose-file> <env-file> | compose-config --schema")
		os.Exit(2)
	}
	opts, err := cli.NewProjectOptions(
		[]string{os.Args[1]},
		cli.WithWorkingDirectory(filepath.Dir(os.Args[1])),
		cli.WithEnvFiles(os.Args[2]),
		cli.WithDotEnv,
		cli.WithConsistency(true),
	)
	if err != nil {
		fail(err)
	}
	project, err := opts.LoadProject(context.Background())
	if err != nil {
		fail(err)
	}
	out, err := project.MarshalJSON()
	if err != nil {
		fail(err)
	}
	_, _ = os.Stdout.Write(out)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
