/// This build of Switchboard: reported by `switchboard --version` and in JSON log events, and sent in the
/// User-Agent of every request to a provider.
public enum SwitchboardVersion {
    public static let current = "0.9.0"
    /// Where Switchboard is published, for the User-Agent providers such as Discord require.
    public static let homepage = "https://github.com/switchboard-chat/switchboard"
}
