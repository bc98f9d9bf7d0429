import Foundation

/// Asks for a password on the terminal without echoing it (or reads a line of a piped stdin).
enum PasswordPrompt {
    /// A password file's first line (the newline is not part of the password).
    static func firstLine(of data: Data) -> String {
        String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
    }

    static func read(_ prompt: String) -> String {
        guard isatty(0) != 0 else { return readLine() ?? "" }
        FileHandle.standardError.write(Data(prompt.utf8))
        var settings = termios()
        tcgetattr(0, &settings)
        var silent = settings
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(0, TCSANOW, &silent)
        let password = readLine() ?? ""
        tcsetattr(0, TCSANOW, &settings)
        FileHandle.standardError.write(Data("\n".utf8))
        return password
    }
}
