//! The event loop: a priority queue of timed events (deliveries, timers, fsync completions,
//! built blocks, crashes, restarts), one seeded RNG, and the hosts around each state machine.

use crate::byzantine::{transform, Action};
use crate::check::{Checker, Report};
use crate::crypto::{setup, AnyCrypto};
use crate::scenario::{Behavior, Scenario};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sq_consensus::{Consensus, Input, Message, Output, PersistRecord, Restored, SafetyState};
use sq_types::codec::Encode;
use sq_types::{Commitment, Leaf, NamespaceId, NodeIndex, NsTable, NsTableEntry, StakeTable, View};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

#[allow(clippy::large_enum_variant)] // queued once per event; boxing would only add an allocation
#[derive(Debug)]
enum Event {
    Deliver {
        to: usize,
        from: usize,
        bytes: Vec<u8>,
    },
    Timer {
        node: usize,
        epoch: u64,
        view: View,
    },
    Durable {
        node: usize,
        epoch: u64,
        seq: u64,
        record: PersistRecord,
    },
    Built {
        node: usize,
        epoch: u64,
        view: View,
    },
    Crash {
        node: usize,
    },
    Restart {
        node: usize,
    },
}

/// One simulated host: the machine, what survives a crash, and the decided log.
struct Host {
    behavior: Behavior,
    crypto: AnyCrypto,
    machine: Option<Consensus<AnyCrypto>>,
    epoch: u64,
    durable_safety: Option<SafetyState>,
    durable_leaves: BTreeMap<Commitment, Leaf>,
}

/// A running simulation.
pub struct Sim {
    scenario: Scenario,
    table: StakeTable,
    hosts: Vec<Host>,
    queue: BinaryHeap<Reverse<(u64, u64)>>,
    events: BTreeMap<u64, Event>,
    next_id: u64,
    now: u64,
    rng: ChaCha8Rng,
    checker: Checker,
}

impl Sim {
    /// Sets up the nodes of `scenario` (nothing runs until [`Sim::run`]).
    ///
    /// # Errors
    /// Key or stake-table setup failures.
    pub fn new(scenario: Scenario) -> anyhow::Result<Sim> {
        let (table, cryptos) = setup(scenario.nodes, scenario.seed, scenario.crypto)?;
        let hosts = cryptos
            .into_iter()
            .enumerate()
            .map(|(i, crypto)| Host {
                behavior: scenario.behavior(i),
                crypto,
                machine: None,
                epoch: 0,
                durable_safety: None,
                durable_leaves: BTreeMap::new(),
            })
            .collect();
        let checked = (0..scenario.nodes)
            .map(|i| scenario.behavior(i).is_checked())
            .collect();
        let heal_at = scenario.network.healed_at().max(
            scenario
                .crashes
                .iter()
                .filter_map(|c| c.restart_ms)
                .max()
                .unwrap_or(0),
        );
        let checker = Checker::new(checked, heal_at, scenario.record_decided);
        Ok(Sim {
            rng: ChaCha8Rng::seed_from_u64(scenario.seed),
            table,
            hosts,
            queue: BinaryHeap::new(),
            events: BTreeMap::new(),
            next_id: 0,
            now: 0,
            checker,
            scenario,
        })
    }

    fn schedule(&mut self, at: u64, event: Event) {
        let id = self.next_id;
        self.next_id += 1;
        self.events.insert(id, event);
        self.queue.push(Reverse((at, id)));
    }

    /// Runs to the scenario's end and reports.
    #[must_use]
    pub fn run(mut self) -> Report {
        for crash in self.scenario.crashes.clone() {
            self.schedule(crash.at_ms, Event::Crash { node: crash.node });
            if let Some(at) = crash.restart_ms {
                self.schedule(at, Event::Restart { node: crash.node });
            }
        }
        for node in 0..self.hosts.len() {
            self.start(node);
        }
        while let Some(Reverse((at, id))) = self.queue.pop() {
            if at > self.scenario.duration_ms {
                break;
            }
            self.now = at;
            let views: Vec<u64> = self.running_views();
            self.checker.tick(at, &views);
            let Some(event) = self.events.remove(&id) else {
                continue;
            };
            self.handle(event);
        }
        let views = self.running_views();
        self.checker
            .finish(self.scenario.seed, self.scenario.duration_ms, &views)
    }

    fn running_views(&self) -> Vec<u64> {
        self.hosts
            .iter()
            .filter(|h| h.behavior.is_checked())
            .filter_map(|h| h.machine.as_ref().map(|m| m.view().0))
            .collect()
    }

    fn start(&mut self, node: usize) {
        let host = &mut self.hosts[node];
        let restored = Restored {
            safety: host
                .durable_safety
                .clone()
                .unwrap_or_else(SafetyState::genesis),
            leaves: host.durable_leaves.values().cloned().collect(),
        };
        let me = NodeIndex(node as u32);
        host.machine = Some(Consensus::new(
            self.scenario.consensus.clone(),
            host.crypto.clone(),
            self.table.clone(),
            me,
            restored,
        ));
        self.apply(node, Input::Start);
    }

    fn handle(&mut self, event: Event) {
        match event {
            Event::Deliver { to, from, bytes } => {
                if self.hosts[to].machine.is_none() {
                    return;
                }
                self.checker.stats.messages += 1;
                self.checker.stats.bytes += bytes.len() as u64;
                match Message::from_wire(&bytes) {
                    Ok(message) => self.apply(
                        to,
                        Input::Message {
                            from: NodeIndex(from as u32),
                            message,
                        },
                    ),
                    Err(_) => self.checker.stats.malformed_rejected += 1,
                }
            }
            Event::Timer { node, epoch, view } if self.live(node, epoch) => {
                self.apply(node, Input::TimerFired { view })
            }
            Event::Durable {
                node,
                epoch,
                seq,
                record,
            } if self.live(node, epoch) => {
                let host = &mut self.hosts[node];
                match record {
                    PersistRecord::Safety(s) => {
                        let decided = s.decided.header.height;
                        host.durable_leaves.retain(|_, l| l.header.height > decided);
                        host.durable_safety = Some(s);
                    }
                    PersistRecord::Proposal { leaf, .. } => {
                        host.durable_leaves.insert(leaf.commit(), leaf);
                    }
                }
                self.apply(node, Input::Persisted { seq });
            }
            Event::Built { node, epoch, view } if self.live(node, epoch) => {
                let payload: Vec<u8> = (0..self.scenario.payload_bytes)
                    .map(|_| self.rng.gen())
                    .collect();
                let end = u32::try_from(payload.len()).unwrap_or(u32::MAX);
                let ns_table = if payload.is_empty() {
                    NsTable::default()
                } else {
                    NsTable(vec![NsTableEntry {
                        namespace: NamespaceId(1),
                        end,
                    }])
                };
                let input = Input::BlockBuilt {
                    view,
                    payload,
                    ns_table,
                    timestamp_ms: self.now,
                    l1_head: 0,
                };
                self.apply(node, input);
            }
            Event::Crash { node } => {
                let host = &mut self.hosts[node];
                host.machine = None;
                host.epoch += 1;
            }
            Event::Restart { node } => {
                if self.hosts[node].machine.is_none() {
                    self.start(node);
                }
            }
            Event::Timer { .. } | Event::Durable { .. } | Event::Built { .. } => {}
        }
    }

    fn live(&self, node: usize, epoch: u64) -> bool {
        self.hosts[node].machine.is_some() && self.hosts[node].epoch == epoch
    }

    fn apply(&mut self, node: usize, input: Input) {
        let host = &mut self.hosts[node];
        let Some(machine) = host.machine.as_mut() else {
            return;
        };
        let outputs = machine.apply(input.clone());
        let actions = transform(
            host.behavior,
            machine,
            &host.crypto,
            &input,
            outputs,
            &mut self.rng,
        );
        let view = machine.view().0;
        let epoch = host.epoch;
        for action in actions {
            match action {
                Action::Raw(to, bytes) => self.send(node, to, bytes),
                Action::Output(out) => self.host_output(node, epoch, view, out),
            }
        }
    }

    fn host_output(&mut self, node: usize, epoch: u64, view: u64, out: Output) {
        match out {
            Output::Broadcast(m) => self.send(node, None, m.encode()),
            Output::Send { to, message } => self.send(node, Some(to.as_usize()), message.encode()),
            Output::SetTimer { view, after_ms } => {
                self.schedule(self.now + after_ms, Event::Timer { node, epoch, view })
            }
            Output::Persist { seq, record } => {
                let at = self.now + self.scenario.fsync_ms;
                self.schedule(
                    at,
                    Event::Durable {
                        node,
                        epoch,
                        seq,
                        record,
                    },
                );
            }
            Output::BuildBlock { view, .. } => {
                self.schedule(self.now + 1, Event::Built { node, epoch, view })
            }
            Output::Decided(chain) => {
                for (leaf, qc) in chain {
                    self.checker.record(node, &leaf, &qc);
                    self.checker
                        .decided(node, self.now, leaf.header.height.0, leaf.commit(), view);
                }
            }
            Output::Conflict { height } => self.checker.conflict(node, height.0),
            Output::ViewChanged(_)
            | Output::ProposalRejected { .. }
            | Output::CatchUpNeeded { .. } => {}
        }
    }

    fn send(&mut self, from: usize, to: Option<usize>, bytes: Vec<u8>) {
        let targets: Vec<usize> = match to {
            Some(t) => vec![t],
            None => (0..self.hosts.len()).filter(|&t| t != from).collect(),
        };
        for t in targets {
            if t >= self.hosts.len() {
                continue;
            }
            if let Some(delay) = self
                .scenario
                .network
                .delay(&mut self.rng, self.now, from, t)
            {
                self.schedule(
                    self.now + delay,
                    Event::Deliver {
                        to: t,
                        from,
                        bytes: bytes.clone(),
                    },
                );
            }
        }
    }
}
