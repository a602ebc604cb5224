/**
 * @apollo/gateway (2.x) starts, unless APOLLO_TELEMETRY_DISABLED is set, an OpenTelemetry meter
 * that reports usage to Apollo's servers and, to label it, probes every cloud's instance
 * metadata endpoint (169.254.169.254 and the like) from each gateway process. A federation of
 * law-enforcement records sends nothing anywhere its operators did not configure, so the switch
 * is forced on before any gateway is built; an operator cannot turn it back on by accident.
 *
 * The one write to the environment outside lib/config.ts, and on purpose: it is a switch the
 * library reads, not a setting of ours, so it has no place in `Settings` or the README's table.
 */
export function disableApolloTelemetry(): void {
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
}
