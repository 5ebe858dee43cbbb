/// How far a signed request's timestamp may lie from now, either way, before the request is refused as a
/// replay.
///
/// The timestamp comes from a header, so it can be any 64-bit integer: `abs(now - timestamp)` traps on
/// overflow for about half of them (`-9223372036854775000` against today's clock), and `abs(Int64.min)`
/// traps too. The distance is taken with the overflow reported, and its magnitude as an unsigned number,
/// so no value can trap; a distance that overflows is outside every window.
struct ReplayWindow: Sendable {
    /// The widest accepted distance, in the timestamp's own unit.
    let width: UInt64

    /// Whether `timestamp` lies within the window around `now` (both in the same unit).
    func contains(_ timestamp: Int64, now: Int64) -> Bool {
        let (distance, overflowed) = now.subtractingReportingOverflow(timestamp)
        return !overflowed && distance.magnitude <= width
    }
}
