/// What waits in one network of the client (its buffers not on the screen), for the status line
/// and the window title while another network is shown.
struct NetworkActivity: Sendable, Hashable {
    /// The network's name (its server buffer's).
    var name: String
    /// Unread messages in those buffers.
    var unread: Int
    /// Those buffers holding an unseen mention or private message.
    var mentions: Int
    /// The most interesting of them.
    var activity: ChatBuffer.Activity
}
