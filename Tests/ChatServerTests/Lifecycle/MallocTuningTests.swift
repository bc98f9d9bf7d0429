import Foundation
import Testing

@testable import ChatServer

@Suite struct MallocTuningTests {
    /// On glibc (every machine this runs on) the settings are found and accepted. Under
    /// AddressSanitizer `mallopt` belongs to the sanitizer's allocator, which refuses them.
    @Test(.disabled(if: dlsym(UnsafeMutableRawPointer(bitPattern: 0), "__asan_init") != nil, "AddressSanitizer replaces malloc"))
    func glibcAcceptsTheSettings() {
        #expect(MallocTuning.applyForServer())
    }
}
