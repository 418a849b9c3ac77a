// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {StarkFixtureReader} from "./StarkFixtureReader.sol";
import {ProofCalldataHarness} from "./ProofCalldata.t.sol";
import {ProofPacker} from "./ProofPacker.sol";
import {BabyBear4 as E} from "../src/verifier/BabyBear4.sol";
import {CodeData} from "../src/CodeData.sol";
import {FriVerifier as V} from "../src/verifier/FriVerifier.sol";
import {KeccakMerkle} from "../src/verifier/KeccakMerkle.sol";
import {BabyBear} from "../src/verifier/BabyBear.sol";
import {ProofCalldata} from "../src/verifier/ProofCalldata.sol";
import {KeccakTranscript as T} from "../src/verifier/KeccakTranscript.sol";
import {PcsVerifier} from "../src/verifier/PcsVerifier.sol";
import {StarkCircuitVerifier} from "../src/verifier/StarkCircuitVerifier.sol";
import {StarkVerifier as SV} from "../src/verifier/StarkVerifier.sol";

/// A PCS verifier that accepts nothing and says so by returning the wrong value.
contract SilentPcs {
    function verifyOpening(V.Params memory, V.Claims memory, bytes calldata, V.Seeds memory, T.State memory)
        external
        pure
        returns (bytes4)
    {
        return bytes4(0);
    }
}

/// The deployable split of the verifier (`StarkCircuitVerifier` with its key in data contracts,
/// `PcsVerifier` for the opening argument): each contract fits the EIP-170 code limit, and
/// together they accept Plonky3's proof of the fixture circuit (`l1_stark.json`), packed by the
/// Rust encoder (`calldata_batch`, `calldata_opening`), and refuse a changed proof, statement
/// or key with the libraries' named errors, passed through the PCS call.
contract StarkCircuitVerifierTest is StarkFixtureReader {
    PcsVerifier internal pcs;
    StarkCircuitVerifier internal verifier;
    bytes internal encodedKey;
    address[] internal keyChunks;
    /// The proof's two packed arguments and the public values, kept as data contracts (reading
    /// them back is far cheaper than parsing the JSON again).
    address[] internal batchChunks;
    address[] internal openingChunks;
    uint256 internal batchLength;
    uint256 internal openingLength;
    uint256[] internal publics;
    ProofCalldataHarness internal decoder;
    /// The proof's ABI size (what the arguments took before they were packed).
    uint256 internal abiBytes;

    struct Proof {
        bytes batch;
        bytes opening;
        uint256[] publics;
    }

    function setUp() public {
        json = vm.readFile("test/fixtures/l1_stark.json");
        SV.VerifyingKey memory vk = loadKey();
        encodedKey = abi.encode(vk);
        keyChunks = CodeData.write(encodedKey);
        pcs = new PcsVerifier();
        verifier = new StarkCircuitVerifier(pcs, keyChunks, encodedKey.length, keccak256(encodedKey));
        bytes memory batch = vm.parseJsonBytes(json, ".calldata_batch");
        bytes memory opening = vm.parseJsonBytes(json, ".calldata_opening");
        (batchChunks, batchLength) = (CodeData.write(batch), batch.length);
        (openingChunks, openingLength) = (CodeData.write(opening), opening.length);
        publics = field("public_values");
        decoder = new ProofCalldataHarness();
        SV.Proof memory p = loadStarkProof(vk.tables);
        abiBytes =
        abi.encodeCall(verifier.verify, (abi.encode(p.input, p.opened), abi.encode(p.opening), publics)).length;
    }

    function load() internal view returns (Proof memory f) {
        f.batch = CodeData.read(batchChunks, batchLength);
        f.opening = CodeData.read(openingChunks, openingLength);
        f.publics = publics;
    }

    function call(Proof memory f) internal view returns (bytes memory) {
        return abi.encodeCall(verifier.verify, (f.batch, f.opening, f.publics));
    }

    function test_eachContractFitsTheCodeLimit() public view {
        assertTrue(address(pcs).code.length <= 24_576, "PcsVerifier fits EIP-170");
        assertTrue(address(verifier).code.length <= 24_576, "StarkCircuitVerifier fits EIP-170");
        log("code bytes: PcsVerifier", address(pcs).code.length);
        log("code bytes: StarkCircuitVerifier", address(verifier).code.length);
        log("data contracts of the verifying key", keyChunks.length);
    }

    function test_acceptsPlonky3sProof() public view {
        Proof memory f = load();
        bytes32 used = verifier.verify(f.batch, f.opening, f.publics);
        uint256 execution = vm.lastCallGas().gasTotalUsed;
        uint256 intrinsic = intrinsicGas(call(f));
        log("gas: whole proof through both contracts (the callee's execution)", execution);
        log("gas: intrinsic (21,000 + calldata)", intrinsic);
        log("gas: transaction (intrinsic + execution; the EIP-7825 cap is 16,777,216)", intrinsic + execution);
        log("calldata bytes, packed", call(f).length);
        log("calldata bytes the same proof takes ABI-encoded", abiBytes);
        assertTrue(intrinsic + execution <= 16_777_216, "the transaction fits the EIP-7825 cap");
        assertEq(used, keccak256(encodedKey), "checked against the pinned key");
        assertEq(verifier.keyHash(), keccak256(encodedKey), "key hash");
        assertEq(keccak256(abi.encode(verifier.verifyingKey())), keccak256(encodedKey), "key reads back");
        log("gas: of which reading and decoding the verifying key, about", vm.lastCallGas().gasTotalUsed);
    }

    /// A tamper on either side of the split is refused with the error of the check it breaks:
    /// the opening proof in the PCS contract (its error passed through), the batch part's
    /// opened values by the transcript they move, the statement by its length, a packed
    /// argument that is not whole by its layout, a value that is not a field element where it
    /// is serialized.
    function test_rejectsTamperedProofsAndStatements() public view {
        Proof memory f = load();
        V.Proof memory opening = decoder.opening(f.opening);
        opening.inputProofs[2][1] ^= bytes32(uint256(1));
        f.opening = ProofPacker.opening(opening);
        assertRevertsWith(address(verifier), call(f), KeccakMerkle.RootMismatch.selector, "Merkle sibling");

        f = load();
        SV.Proof memory p;
        (p.input, p.opened) = decoder.batch(f.batch);
        p.opened[4].traceLocal[17] = E.add(p.opened[4].traceLocal[17], 1);
        f.batch = ProofPacker.batch(p.input, p.opened);
        assertRevertsWith(address(verifier), call(f), V.QueryPowInvalid.selector, "out-of-domain value");

        f = load();
        opening = decoder.opening(f.opening);
        opening.inputRows[0][5] = BabyBear.P;
        f.opening = ProofPacker.opening(opening);
        assertRevertsWith(address(verifier), call(f), BabyBear.NotAFieldElement.selector, "opened row value p");

        f = load();
        f.opening = bytes.concat(f.opening, hex"00");
        assertRevertsWith(
            address(verifier), call(f), ProofCalldata.ProofTrailingBytes.selector, "opening: trailing byte"
        );
        f = load();
        f.batch = bytes.concat(f.batch, hex"00");
        assertRevertsWith(address(verifier), call(f), ProofCalldata.ProofTrailingBytes.selector, "batch: trailing byte");

        f = load();
        f.publics = new uint256[](1);
        assertRevertsWith(address(verifier), call(f), SV.WrongPublicValueCount.selector, "public value count");
    }

    /// The key is pinned at construction: data contracts holding another key, or too few
    /// bytes of it, are refused; a PCS verifier that does not accept is not taken for one.
    function test_refusesAnotherKeyOrASilentPcs() public {
        bytes32 h = keccak256(encodedKey);
        vm.expectRevert(abi.encodeWithSelector(StarkCircuitVerifier.WrongKeyHash.selector, ~h, h));
        new StarkCircuitVerifier(pcs, keyChunks, encodedKey.length, ~h);
        address[] memory first = new address[](1);
        first[0] = keyChunks[0];
        vm.expectRevert(abi.encodeWithSelector(CodeData.DataTooShort.selector, encodedKey.length, CodeData.CHUNK));
        new StarkCircuitVerifier(pcs, first, encodedKey.length, h);

        StarkCircuitVerifier silent =
            new StarkCircuitVerifier(PcsVerifier(address(new SilentPcs())), keyChunks, encodedKey.length, h);
        Proof memory f = load();
        assertRevertsWith(
            address(silent),
            abi.encodeCall(silent.verify, (f.batch, f.opening, f.publics)),
            StarkCircuitVerifier.PcsNotAccepted.selector,
            "a PCS verifier that does not accept"
        );
    }

    /// No single changed byte of either packed argument verifies: wherever it falls (a count,
    /// a digest, an element's high or low byte), the layout, a range check, a Merkle root, the
    /// transcript or an identity refuses it.
    /// forge-config: default.fuzz.runs = 1000
    function testFuzz_noSingleByteChangeVerifies(bool inOpening, uint256 at, uint8 flip) public view {
        Proof memory f = load();
        bytes memory target = inOpening ? f.opening : f.batch;
        at = bound(at, 0, target.length - 1);
        target[at] = bytes1(uint8(target[at]) ^ (flip == 0 ? 1 : flip));
        (bool ok,) = address(verifier).staticcall(call(f));
        assertTrue(!ok, "a proof with one byte changed verifies");
    }
}
