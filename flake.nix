{
  description = "HotShot-style sequencer network with an attached prover: development shell";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    flake-utils.url = "github:numtide/flake-utils";
  };

  outputs = { self, nixpkgs, flake-utils }:
    flake-utils.lib.eachDefaultSystem (system:
      let pkgs = import nixpkgs { inherit system; };
      in {
        # `nix develop`: Rust, Node (for the npm-pinned Foundry and solc-js in contracts/),
        # just, PostgreSQL and the C toolchain blst needs.
        devShells.default = pkgs.mkShell {
          packages = with pkgs; [
            rustc
            cargo
            clippy
            rustfmt
            nodejs_20
            just
            postgresql_15
            pkg-config
            clang
          ];
          shellHook = ''
            # Foundry (forge, anvil, cast) and solc come from npm, pinned in contracts/package.json.
            if [ -f contracts/package.json ] && [ ! -d contracts/node_modules ]; then
              (cd contracts && npm ci)
            fi
            export PATH="$PWD/contracts/node_modules/.bin:$PATH"
          '';
        };
      });
}
