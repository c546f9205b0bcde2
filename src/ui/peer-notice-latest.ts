/** The fallback-adapter notice from the latest committed `npm run bench:peers` run (bench/results/peers.json). */
import peers from '../../bench/results/peers.json';
import { cpuPeerNotice, type PeersRun } from './peer-notice.ts';

export const CPU_PEER_NOTICE: string | null = cpuPeerNotice((peers as { runs: PeersRun[] }).runs.at(-1));
